import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PolicyDocumentEntity } from './policy-document.entity';
import { PolicyService } from './policy.service';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([PolicyDocumentEntity])],
  providers: [PolicyService],
  exports: [PolicyService],
})
export class PolicyModule {}
