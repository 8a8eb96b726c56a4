import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IsNull } from 'typeorm';
import { DemoService } from '../demo/demo.service';
import { ContentImportService } from '../content/content-import.service';
import { OrganizationsModule } from '../organizations/organizations.module';
import './curriculum.i18n';
import { AuthorPagesController } from './author-pages.controller';
import { CourseAuthoringService } from './course-authoring.service';
import { CourseCatalogueService } from './course-catalogue.service';
import { CourseExportService } from './course-export.service';
import { CourseExtrasService } from './course-extras.service';
import { CourseImportService } from './course-import.service';
import { CoursePublishService } from './course-publish.service';
import { CourseVersionEntity } from './course-version.entity';
import { CourseEntity } from './course.entity';
import { CurriculumApiController } from './curriculum-api.controller';
import { CurriculumReadCache } from './curriculum-read-cache';
import { CurriculumService } from './curriculum.service';
import { LessonEntity } from './lesson.entity';

@Module({
  imports: [
    TypeOrmModule.forFeature([CourseEntity, CourseVersionEntity, LessonEntity]),
    OrganizationsModule,
  ],
  controllers: [CurriculumApiController, AuthorPagesController],
  providers: [
    CurriculumReadCache,
    CurriculumService,
    CourseCatalogueService,
    CourseAuthoringService,
    CoursePublishService,
    CourseImportService,
    CourseExportService,
    CourseExtrasService,
  ],
  exports: [
    CurriculumService,
    CourseCatalogueService,
    CourseImportService,
    CourseExportService,
    CourseExtrasService,
    CoursePublishService,
  ],
})
export class CurriculumModule implements OnModuleInit {
  constructor(
    private readonly content: ContentImportService,
    private readonly importer: CourseImportService,
    private readonly demo: DemoService,
  ) {}

  onModuleInit(): void {
    this.content.register(this.importer);
    // Content is imported before the demo city exists; the city then adopts the ownerless courses.
    this.demo.register({
      name: 'courses belong to the city',
      order: 5,
      run: async (ctx) => {
        await ctx.manager
          .getRepository(CourseEntity)
          .update({ orgId: IsNull() }, { orgId: ctx.city.id });
      },
    });
  }
}
