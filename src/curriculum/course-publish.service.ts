import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfigService } from '../config/app-config.service';
import { CourseContent, contentChecksum } from './course-files';
import { CourseVersionEntity } from './course-version.entity';
import { CourseEntity } from './course.entity';
import { LessonEntity } from './lesson.entity';
import { renderMarkdown } from './markdown-renderer';
import { newId } from '../common/ids';

/** Freezes a course's draft into a new immutable version, rendering every lesson once through the sanitiser. */
@Injectable()
export class CoursePublishService {
  private readonly siteHost: string | undefined;

  constructor(config: AppConfigService) {
    try {
      this.siteHost = new URL(config.publicUrl).host;
    } catch {
      this.siteHost = undefined;
    }
  }

  render(markdown: string): string {
    return renderMarkdown(markdown, { siteHost: this.siteHost });
  }

  /** Inside the caller's transaction: a new version from `content`, made current. */
  async publishIn(
    m: EntityManager,
    course: CourseEntity,
    content: CourseContent,
    by: string | null,
  ): Promise<CourseVersionEntity> {
    const last = await m
      .getRepository(CourseVersionEntity)
      .createQueryBuilder('v')
      .select('MAX(v.version)', 'max')
      .where('v.course_id = :id', { id: course.id })
      .getRawOne<{ max: number | string | null }>();
    const version = m.getRepository(CourseVersionEntity).create({
      id: newId(),
      courseId: course.id,
      version: Number(last?.max ?? 0) + 1,
      title: content.title,
      titleEn: content.titleEn,
      summary: content.summary,
      summaryEn: content.summaryEn,
      overview: content.overview,
      overviewHtml: this.render(content.overview),
      hours: content.hours,
      checksum: contentChecksum(content),
      publishedAt: new Date(),
      publishedBy: by,
    });
    await m.getRepository(CourseVersionEntity).insert(version);
    const lessons = content.lessons.map((l, i) =>
      m.getRepository(LessonEntity).create({
        id: newId(),
        versionId: version.id,
        courseId: course.id,
        key: l.key,
        position: i + 1,
        moduleTitle: l.module,
        moduleTitleEn: l.moduleEn,
        title: l.title,
        titleEn: l.titleEn,
        minutes: l.minutes,
        kind: l.kind,
        markdown: l.markdown,
        html: this.render(l.markdown),
      }),
    );
    for (const lesson of lessons) {
      await m.getRepository(LessonEntity).insert(lesson);
    }
    await m
      .getRepository(CourseEntity)
      .update({ id: course.id }, { currentVersionId: version.id, updatedAt: new Date() });
    course.currentVersionId = version.id;
    return version;
  }
}
