import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from '../migration-types';

/** Question banks, questions, quizzes, attempts with their questions and answers, the wrong-answer notebook. */
export class Assessment1763790000000 implements MigrationInterface {
  name = 'Assessment1763790000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'question_banks',
        columns: [
          col.id(),
          col.varchar('slug', 100, true),
          col.varchar('name', 200),
          col.varchar('name_en', 200, true),
          col.ref('org_id', true),
          col.varchar('course_slug', 100, true),
          col.varchar('source_hash', 64, true),
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
        uniques: [{ name: 'uq_question_banks_slug', columnNames: ['slug'] }],
        indices: [new TableIndex({ columnNames: ['org_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'questions',
        columns: [
          col.id(),
          col.ref('bank_id'),
          col.varchar('fingerprint', 64),
          col.int('position'),
          col.varchar('type', 16),
          col.varchar('title', 200, true),
          col.varchar('category', 200, true),
          col.varchar('text_format', 16),
          col.json('tags', false),
          col.varchar('difficulty', 8, true),
          col.json('source', false),
          col.json('parts', false),
          col.bool('retired', false),
          col.instant('created_at'),
        ],
        foreignKeys: [
          {
            columnNames: ['bank_id'],
            referencedTableName: 'question_banks',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [new TableIndex({ columnNames: ['bank_id', 'retired'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'quizzes',
        columns: [
          col.id(),
          col.varchar('slug', 100, true),
          col.ref('bank_id'),
          col.ref('course_id'),
          col.varchar('course_slug', 100),
          col.ref('lesson_id', true),
          col.ref('org_id', true),
          col.varchar('title', 200),
          col.varchar('title_en', 200, true),
          col.int('question_count', true),
          col.json('tags', false),
          col.int('pass_mark'),
          col.int('time_limit_seconds', true),
          col.int('attempts_allowed', true),
          col.instant('opens_at', true),
          col.instant('closes_at', true),
          col.bool('shuffle_questions', false),
          col.bool('shuffle_options', false),
          col.varchar('review', 16),
          col.varchar('review_when', 16),
          col.varchar('layout', 8),
          col.ref('created_by', true),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        foreignKeys: [
          {
            columnNames: ['bank_id'],
            referencedTableName: 'question_banks',
            referencedColumnNames: ['id'],
          },
          {
            columnNames: ['org_id'],
            referencedTableName: 'org_nodes',
            referencedColumnNames: ['id'],
          },
        ],
        uniques: [{ name: 'uq_quizzes_slug', columnNames: ['slug'] }],
        indices: [
          new TableIndex({ columnNames: ['course_id'] }),
          new TableIndex({ columnNames: ['lesson_id'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'quiz_attempts',
        columns: [
          col.id(),
          col.ref('quiz_id'),
          col.ref('user_id'),
          col.int('number'),
          col.varchar('status', 16),
          col.instant('started_at'),
          col.instant('deadline', true),
          col.instant('submitted_at', true),
          col.bool('auto_submitted', false),
          col.hours('score', true),
          col.int('max_score'),
          col.hours('score_percent', true),
          { name: 'passed', type: 'boolean', isNullable: true },
        ],
        foreignKeys: [
          {
            columnNames: ['quiz_id'],
            referencedTableName: 'quizzes',
            referencedColumnNames: ['id'],
          },
          { columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'] },
        ],
        uniques: [{ name: 'uq_attempt_number', columnNames: ['quiz_id', 'user_id', 'number'] }],
        indices: [
          new TableIndex({ columnNames: ['user_id'] }),
          new TableIndex({ columnNames: ['status', 'deadline'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'attempt_questions',
        columns: [
          col.id(),
          col.ref('attempt_id'),
          col.ref('question_id'),
          col.int('position'),
          col.json('layout', false),
          col.json('response'),
          col.instant('answered_at', true),
          col.hours('credit', true),
          { name: 'correct', type: 'boolean', isNullable: true },
        ],
        foreignKeys: [
          {
            columnNames: ['attempt_id'],
            referencedTableName: 'quiz_attempts',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            columnNames: ['question_id'],
            referencedTableName: 'questions',
            referencedColumnNames: ['id'],
          },
        ],
        uniques: [{ name: 'uq_attempt_question', columnNames: ['attempt_id', 'question_id'] }],
        indices: [new TableIndex({ columnNames: ['question_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'notebook_entries',
        columns: [
          col.id(),
          col.ref('user_id'),
          col.ref('question_id'),
          col.ref('quiz_id'),
          col.int('times_wrong'),
          col.int('right_count'),
          col.instant('added_at'),
          col.instant('practised_at', true),
          col.instant('cleared_at', true),
        ],
        foreignKeys: [
          { columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'] },
          {
            columnNames: ['question_id'],
            referencedTableName: 'questions',
            referencedColumnNames: ['id'],
          },
        ],
        uniques: [{ name: 'uq_notebook_entry', columnNames: ['user_id', 'question_id'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'notebook_entries',
      'attempt_questions',
      'quiz_attempts',
      'quizzes',
      'questions',
      'question_banks',
    ]) {
      await q.dropTable(table);
    }
  }
}
