import { Global, Module } from '@nestjs/common';
import { OrganizationsModule } from '../organizations/organizations.module';
import { DemoService } from './demo.service';

@Global()
@Module({ imports: [OrganizationsModule], providers: [DemoService], exports: [DemoService] })
export class DemoModule {}
