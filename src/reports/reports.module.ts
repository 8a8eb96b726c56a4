import { Module, OnModuleInit } from '@nestjs/common';
import './reports.i18n';
import './regularity.policy';
import { DemoService } from '../demo/demo.service';
import { HomeService } from '../home/home.service';
import { LearningModule } from '../learning/learning.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { StudyDaysModule } from '../study-days/study-days.module';
import { AttendanceModule } from '../attendance/attendance.module';
import { LearningReportsService } from './learning-reports.service';
import { RegularityService } from './regularity.service';
import { ReportExportService } from './report-export.service';
import { ReportScopeService } from './report-scope.service';
import { ReportsApiController } from './reports-api.controller';
import { ReportsPagesController } from './reports-pages.controller';
import { ReportsPagesService } from './reports-pages.service';
import { ReportsDemo } from './reports.demo';
import { ReportsHome } from './reports.home';
import { ReportsService } from './reports.service';

@Module({
  imports: [OrganizationsModule, LearningModule, StudyDaysModule, AttendanceModule],
  controllers: [ReportsApiController, ReportsPagesController],
  providers: [
    ReportScopeService,
    RegularityService,
    LearningReportsService,
    ReportExportService,
    ReportsService,
    ReportsPagesService,
    ReportsHome,
    ReportsDemo,
  ],
  exports: [RegularityService, LearningReportsService],
})
export class ReportsModule implements OnModuleInit {
  constructor(
    private readonly home: HomeService,
    private readonly demo: DemoService,
    private readonly homeBlock: ReportsHome,
    private readonly demoStep: ReportsDemo,
  ) {}

  onModuleInit(): void {
    this.home.register({ order: 50, section: (actor) => this.homeBlock.section(actor) });
    this.demo.register({
      name: 'reports: committee meetings',
      order: 60,
      run: (ctx) => this.demoStep.run(ctx),
    });
  }
}
