import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Repository } from 'typeorm';
import { serializeCourse } from './course-files';
import { CourseEntity } from './course.entity';

/**
 * `content:export <dir>`: every course back in the import format (`<dir>/courses/<slug>/...`), from its working
 * copy, which for an imported or just-published course is exactly the published version.
 */
@Injectable()
export class CourseExportService {
  constructor(@InjectRepository(CourseEntity) private readonly courses: Repository<CourseEntity>) {}

  /** Writes the courses under `<dir>/courses/`; returns how many courses were written. */
  async exportTo(dir: string): Promise<number> {
    const rows = await this.courses.find({ order: { slug: 'ASC' } });
    for (const course of rows) {
      const folder = join(dir, 'courses', course.slug);
      await mkdir(folder, { recursive: true });
      const files = serializeCourse(
        {
          slug: course.slug,
          trainingKind: course.trainingKind,
          competencies: course.competencies,
          postTypes: course.postTypes,
          levels: course.levels,
          status: course.status,
        },
        course.draft,
      );
      for (const [name, text] of files) {
        await writeFile(join(folder, name), text, 'utf8');
      }
    }
    return rows.length;
  }

  /** Same as exportTo (the name the issue uses). */
  async exportAll(dir: string): Promise<number> {
    return this.exportTo(dir);
  }
}
