import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContentImportService } from '../content/content-import.service';
import { CourseExtrasService } from '../curriculum/course-extras.service';
import { CurriculumModule } from '../curriculum/curriculum.module';
import { DemoService } from '../demo/demo.service';
import { LearningModule } from '../learning/learning.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import './assessment.i18n';
import { AssessmentApiController } from './assessment-api.controller';
import { AssessmentPagesController } from './assessment-pages.controller';
import { AssessmentPagesService } from './assessment-pages.service';
import { AssessmentScope } from './assessment-scope';
import { seedAssessment } from './assessment.demo';
import { ASSESSMENT_ENTITIES } from './assessment.entities';
import { AssessmentService } from './assessment.service';
import { AnswerWriter } from './answer-writer';
import { AttemptGradingService } from './attempt-grading.service';
import { AttemptsService } from './attempts.service';
import { BankContentImporter } from './bank-content.importer';
import { BanksService } from './banks.service';
import { CourseLinks } from './course-links';
import { CurriculumCourseLinks } from './course-links.service';
import { ItemAnalysisService } from './item-analysis.service';
import { NotebookService } from './notebook.service';
import { QuestionCache } from './question-cache';
import { QuizzesService } from './quizzes.service';

@Module({
  imports: [
    TypeOrmModule.forFeature(ASSESSMENT_ENTITIES),
    OrganizationsModule,
    CurriculumModule,
    LearningModule,
  ],
  controllers: [AssessmentApiController, AssessmentPagesController],
  providers: [
    { provide: CourseLinks, useClass: CurriculumCourseLinks },
    AssessmentScope,
    QuestionCache,
    BanksService,
    BankContentImporter,
    QuizzesService,
    AttemptGradingService,
    AnswerWriter,
    AttemptsService,
    NotebookService,
    ItemAnalysisService,
    AssessmentService,
    AssessmentPagesService,
  ],
  exports: [AssessmentService, ItemAnalysisService],
})
export class AssessmentModule implements OnModuleInit {
  constructor(
    private readonly content: ContentImportService,
    private readonly importer: BankContentImporter,
    private readonly extras: CourseExtrasService,
    private readonly quizzes: QuizzesService,
    private readonly demo: DemoService,
    private readonly grading: AttemptGradingService,
    private readonly courses: CourseLinks,
  ) {}

  onModuleInit(): void {
    this.content.register(this.importer);
    // GET /api/v1/courses/:slug lists the course's quizzes.
    this.extras.register(async (courseId, actor) => ({
      quizzes: await this.quizzes.forCourse(actor, courseId),
    }));
    this.demo.register({
      name: 'assessment',
      order: 20,
      run: (ctx) => seedAssessment(ctx, this.grading, this.courses),
    });
  }
}
