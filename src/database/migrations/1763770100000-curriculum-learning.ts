import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from '../migration-types';

/** Courses with immutable published versions and their lessons; enrolments, lesson progress and the study-hour ledger. */
export class CurriculumLearning1763770100000 implements MigrationInterface {
  name = 'CurriculumLearning1763770100000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'courses',
        columns: [
          col.id(),
          col.varchar('slug', 80),
          col.ref('org_id', true),
          col.varchar('training_kind', 16),
          col.json('competencies', false),
          col.json('post_types', false),
          col.json('levels', false),
          col.varchar('status', 16),
          col.ref('current_version_id', true),
          col.json('draft', false),
          col.varchar('draft_checksum', 64),
          col.ref('created_by', true),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        foreignKeys: [
          {
            columnNames: ['org_id'],
            referencedTableName: 'org_nodes',
            referencedColumnNames: ['id'],
          },
        ],
        uniques: [{ name: 'uq_courses_slug', columnNames: ['slug'] }],
        indices: [
          new TableIndex({ columnNames: ['status'] }),
          new TableIndex({ columnNames: ['org_id'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'course_versions',
        columns: [
          col.id(),
          col.ref('course_id'),
          col.int('version'),
          col.varchar('title', 200),
          col.varchar('title_en', 200),
          col.text('summary'),
          col.text('summary_en'),
          col.text('overview'),
          col.text('overview_html'),
          col.hours('hours'),
          col.varchar('checksum', 64),
          col.instant('published_at'),
          col.ref('published_by', true),
        ],
        foreignKeys: [
          {
            columnNames: ['course_id'],
            referencedTableName: 'courses',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        uniques: [{ name: 'uq_course_versions_number', columnNames: ['course_id', 'version'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'lessons',
        columns: [
          col.id(),
          col.ref('version_id'),
          col.ref('course_id'),
          col.varchar('key', 80),
          col.int('position'),
          col.varchar('module_title', 200),
          col.varchar('module_title_en', 200),
          col.varchar('title', 200),
          col.varchar('title_en', 200),
          col.int('minutes'),
          col.varchar('kind', 16),
          col.text('markdown'),
          col.text('html'),
        ],
        foreignKeys: [
          {
            columnNames: ['version_id'],
            referencedTableName: 'course_versions',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            columnNames: ['course_id'],
            referencedTableName: 'courses',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        uniques: [{ name: 'uq_lessons_version_key', columnNames: ['version_id', 'key'] }],
        indices: [new TableIndex({ columnNames: ['course_id', 'key'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'enrolments',
        columns: [
          col.id(),
          col.ref('user_id'),
          col.ref('course_id'),
          col.ref('version_id'),
          col.ref('assigned_by', true),
          col.varchar('due_date', 10, true),
          col.instant('enrolled_at'),
          col.instant('started_at', true),
          col.instant('completed_at', true),
          col.ref('last_lesson_id', true),
          col.instant('last_viewed_at', true),
        ],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            columnNames: ['course_id'],
            referencedTableName: 'courses',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            columnNames: ['version_id'],
            referencedTableName: 'course_versions',
            referencedColumnNames: ['id'],
          },
        ],
        uniques: [{ name: 'uq_enrolments_user_course', columnNames: ['user_id', 'course_id'] }],
        indices: [new TableIndex({ columnNames: ['course_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'lesson_progress',
        columns: [
          col.id(),
          col.ref('user_id'),
          col.ref('lesson_id'),
          col.ref('course_id'),
          col.ref('version_id'),
          col.varchar('lesson_key', 80),
          col.instant('first_viewed_at'),
          col.instant('last_viewed_at'),
          col.instant('completed_at', true),
        ],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            columnNames: ['lesson_id'],
            referencedTableName: 'lessons',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        uniques: [
          { name: 'uq_lesson_progress_user_lesson', columnNames: ['user_id', 'lesson_id'] },
        ],
        indices: [
          new TableIndex({ columnNames: ['user_id', 'course_id'] }),
          new TableIndex({ columnNames: ['lesson_id'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'study_hour_ledger',
        columns: [
          col.id(),
          col.ref('user_id'),
          col.varchar('activity_type', 16),
          col.varchar('activity_id', 100),
          col.hours('hours'),
          col.varchar('training_kind', 16),
          col.instant('occurred_at'),
          col.int('year'),
          col.varchar('title', 300),
          col.varchar('course_slug', 80, true),
          col.varchar('basis_kind', 8),
          col.hours('basis_value'),
          col.instant('recorded_at'),
        ],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        // One credit per activity and person, enforced by the database (concurrent completions included).
        uniques: [
          {
            name: 'uq_ledger_user_activity',
            columnNames: ['user_id', 'activity_type', 'activity_id'],
          },
        ],
        indices: [
          new TableIndex({ columnNames: ['user_id', 'occurred_at'] }),
          new TableIndex({ columnNames: ['year'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'study_hour_ledger',
      'lesson_progress',
      'enrolments',
      'lessons',
      'course_versions',
      'courses',
    ]) {
      await q.dropTable(table);
    }
  }
}
