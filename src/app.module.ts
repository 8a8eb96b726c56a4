import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import './common/i18n/common.i18n';
import './common/i18n/pages.i18n';
import { CurriculumModule } from './curriculum/curriculum.module';
import { LearningModule } from './learning/learning.module';
import { AssessmentModule } from './assessment/assessment.module';
import { AttendanceModule } from './attendance/attendance.module';
import { StudyDaysModule } from './study-days/study-days.module';
import { CertificationModule } from './certification/certification.module';
import { ReportsModule } from './reports/reports.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { AppConfigService } from './config/app-config.service';
import { ConfigModule } from './config/config.module';
import { ContentModule } from './content/content.module';
import { DatabaseModule } from './database/database.module';
import { DemoModule } from './demo/demo.module';
import { HealthModule } from './health/health.module';
import { HomeModule } from './home/home.module';
import { LoadgenModule } from './loadgen/loadgen.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { PolicyModule } from './policy/policy.module';

@Module({})
export class AppModule {
  static register(config?: AppConfigService): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        EventEmitterModule.forRoot(),
        DatabaseModule,
        AuditModule,
        PolicyModule,
        ContentModule,
        OrganizationsModule,
        AuthModule,
        HomeModule,
        CurriculumModule,
        LearningModule,
        AssessmentModule,
        AttendanceModule,
        StudyDaysModule,
        CertificationModule,
        ReportsModule,
        HealthModule,
        DemoModule,
        LoadgenModule,
      ],
    };
  }
}
