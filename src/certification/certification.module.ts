import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import './certification.i18n';
import './certification.policy';
import { AssessmentModule } from '../assessment/assessment.module';
import { AttendanceModule } from '../attendance/attendance.module';
import { CurriculumModule } from '../curriculum/curriculum.module';
import { DemoService } from '../demo/demo.service';
import { LearningModule } from '../learning/learning.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { CertificateFileEntity } from './certificate-file.entity';
import { CertificateEntity } from './certificate.entity';
import { CertificatesService } from './certificates.service';
import { CertificationApiController } from './certification-api.controller';
import { CertificationFacts } from './certification-facts';
import { CertificationPagesController } from './certification-pages.controller';
import { CertificationPagesService } from './certification-pages.service';
import { seedCertificates } from './certification.demo';
import { CertificationListener } from './certification.listener';
import { IssuingService } from './issuing.service';
import { QualificationService } from './qualification.service';
import { SerialCounterEntity } from './serial-counter.entity';
import { TaskSubmissionEntity } from './task-submission.entity';
import { TasksService } from './tasks.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([
      CertificateEntity,
      CertificateFileEntity,
      SerialCounterEntity,
      TaskSubmissionEntity,
    ]),
    OrganizationsModule,
    CurriculumModule,
    LearningModule,
    AssessmentModule,
    AttendanceModule,
  ],
  controllers: [CertificationApiController, CertificationPagesController],
  providers: [
    CertificationFacts,
    IssuingService,
    CertificatesService,
    QualificationService,
    TasksService,
    CertificationPagesService,
    CertificationListener,
  ],
  exports: [
    IssuingService,
    CertificatesService,
    QualificationService,
    TasksService,
    CertificationFacts,
  ],
})
export class CertificationModule implements OnModuleInit {
  constructor(
    private readonly demo: DemoService,
    private readonly issuing: IssuingService,
  ) {}

  onModuleInit(): void {
    this.demo.register({
      name: 'certificates',
      order: 40,
      run: (ctx) => seedCertificates(ctx, this.issuing),
    });
  }
}
