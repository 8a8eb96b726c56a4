import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CurriculumModule } from '../curriculum/curriculum.module';
import { CurriculumService } from '../curriculum/curriculum.service';
import { DemoService } from '../demo/demo.service';
import { HomeService } from '../home/home.service';
import { OrganizationsModule } from '../organizations/organizations.module';
import { registerPolicySchema } from '../policy/policy.service';
import { EnrolmentEntity } from './enrolment.entity';
import { EnrolmentService } from './enrolment.service';
import { LearningApiController } from './learning-api.controller';
import { LearningPagesController } from './learning-pages.controller';
import { LearningPagesService } from './learning-pages.service';
import { continuingEducationDemoStep, learningDemoStep } from './learning.demo';
import './learning.i18n';
import { LedgerEntryEntity } from './ledger-entry.entity';
import { LedgerService } from './ledger.service';
import { LessonProgressEntity } from './lesson-progress.entity';
import { LessonViewLog } from './lesson-view-log';
import { LessonProgressService } from './lesson-progress.service';
import { checkStudyHoursPolicy } from './study-hours';

registerPolicySchema('study-hours', checkStudyHoursPolicy);

@Module({
  imports: [
    TypeOrmModule.forFeature([EnrolmentEntity, LessonProgressEntity, LedgerEntryEntity]),
    CurriculumModule,
    OrganizationsModule,
  ],
  controllers: [LearningApiController, LearningPagesController],
  providers: [
    EnrolmentService,
    LessonProgressService,
    LessonViewLog,
    LedgerService,
    LearningPagesService,
  ],
  exports: [EnrolmentService, LessonProgressService, LessonViewLog, LedgerService],
})
export class LearningModule implements OnModuleInit {
  constructor(
    private readonly home: HomeService,
    private readonly demo: DemoService,
    private readonly pages: LearningPagesService,
    private readonly curriculum: CurriculumService,
    private readonly enrolments: EnrolmentService,
    private readonly progress: LessonProgressService,
    private readonly ledger: LedgerService,
  ) {}

  onModuleInit(): void {
    this.home.register({ order: 10, section: (actor) => this.pages.homeSection(actor) });
    this.demo.register(learningDemoStep(this.curriculum, this.enrolments, this.progress));
    this.demo.register(continuingEducationDemoStep(this.ledger));
  }
}
