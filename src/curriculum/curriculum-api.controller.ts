import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/access/actor';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { CourseAuthoringService } from './course-authoring.service';
import { CourseCatalogueService } from './course-catalogue.service';
import { CoursePublishService } from './course-publish.service';
import { CatalogueQuery, CourseInputDto, MarkdownPreviewDto } from './dto/course.dto';

@ApiTags('curriculum')
@ApiBearerAuth()
@Controller('api/v1')
export class CurriculumApiController {
  constructor(
    private readonly catalogue: CourseCatalogueService,
    private readonly authoring: CourseAuthoringService,
    private readonly publisher: CoursePublishService,
  ) {}

  @Get('courses')
  @ApiOperation({ summary: 'Published catalogue, filterable by training kind and competency' })
  list(@CurrentActor() actor: Actor, @Query() query: CatalogueQuery) {
    return this.catalogue.catalogue(actor, query);
  }

  @Get('courses/:slug')
  @ApiOperation({ summary: 'A course with its modules and lessons (current published version)' })
  detail(@CurrentActor() actor: Actor, @Param('slug') slug: string) {
    return this.catalogue.detail(actor, slug);
  }

  @Get('courses/:slug/draft')
  @Roles('trainer', 'admin')
  @ApiOperation({
    summary: 'The editable draft with lesson markdown (trainers of the owner’s subtree)',
  })
  draft(@CurrentActor() actor: Actor, @Param('slug') slug: string) {
    return this.authoring.draft(actor, slug);
  }

  @Post('courses')
  @Roles('trainer', 'admin')
  @ApiOperation({ summary: 'Create a draft course in the trainer’s subtree' })
  create(@CurrentActor() actor: Actor, @Body() dto: CourseInputDto) {
    return this.authoring.create(actor, dto);
  }

  @Put('courses/:slug')
  @Roles('trainer', 'admin')
  @ApiOperation({ summary: 'Replace the draft (settings, modules and lessons)' })
  replace(@CurrentActor() actor: Actor, @Param('slug') slug: string, @Body() dto: CourseInputDto) {
    return this.authoring.replace(actor, slug, dto);
  }

  @Post('courses/:slug/publish')
  @HttpCode(200)
  @Roles('trainer', 'admin')
  @ApiOperation({ summary: 'Publish the draft as a new version; learners keep what they studied' })
  publish(@CurrentActor() actor: Actor, @Param('slug') slug: string) {
    return this.authoring.publish(actor, slug);
  }

  @Post('courses/:slug/archive')
  @HttpCode(200)
  @Roles('trainer', 'admin')
  @ApiOperation({ summary: 'Take the course out of the catalogue; records stay' })
  archive(@CurrentActor() actor: Actor, @Param('slug') slug: string) {
    return this.authoring.archive(actor, slug);
  }

  @Post('markdown/preview')
  @HttpCode(200)
  @Roles('trainer', 'admin')
  @ApiOperation({
    summary: 'Render lesson markdown through the same sanitiser as published lessons',
  })
  preview(@Body() dto: MarkdownPreviewDto) {
    return { html: this.publisher.render(dto.markdown) };
  }
}
