import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganizationsModule } from '../organizations/organizations.module';
import { AuditApiController } from './audit-api.controller';
import { AuditEntryEntity } from './audit-entry.entity';
import { AuditPagesController } from './audit-pages.controller';
import { AuditReadService } from './audit-read.service';
import { AuditService } from './audit.service';
import './audit.i18n';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEntryEntity]), OrganizationsModule],
  controllers: [AuditApiController, AuditPagesController],
  providers: [AuditService, AuditReadService],
  exports: [AuditService],
})
export class AuditModule {}
