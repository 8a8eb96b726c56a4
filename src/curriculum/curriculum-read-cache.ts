import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EntityReadCache } from '../database/entity-read-cache';
import { CourseVersionEntity } from './course-version.entity';
import { CourseEntity } from './course.entity';
import { LessonEntity } from './lesson.entity';

/**
 * What every lesson and catalogue view reads: lesson details and version outlines (published versions never
 * change), courses by id and slug, and the published course list; emptied by any write to a course, version or
 * lesson.
 */
@Injectable()
export class CurriculumReadCache extends EntityReadCache {
  /** Without a data source: a pass-through for reads inside an uncommitted transaction. */
  constructor(dataSource?: DataSource) {
    super(dataSource, new Set([CourseEntity, CourseVersionEntity, LessonEntity]));
  }
}
