import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * Indexes the report read models need: meetings and sessions of a branch by local date (the regularity grid
 * reads a year of a subtree at once) and a person's credits by year (hours against the yearly requirements).
 */
export class ReportsIndexes1763800000000 implements MigrationInterface {
  name = 'ReportsIndexes1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'study_days',
      new TableIndex({
        name: 'idx_study_days_org_local_date',
        columnNames: ['org_id', 'local_date'],
      }),
    );
    await q.createIndex(
      'attendance_sessions',
      new TableIndex({
        name: 'idx_attendance_sessions_org_local_date',
        columnNames: ['org_id', 'local_date'],
      }),
    );
    await q.createIndex(
      'study_hour_ledger',
      new TableIndex({ name: 'idx_ledger_user_year', columnNames: ['user_id', 'year'] }),
    );
    await q.createIndex(
      'quiz_attempts',
      new TableIndex({ name: 'idx_quiz_attempts_quiz_status', columnNames: ['quiz_id', 'status'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('quiz_attempts', 'idx_quiz_attempts_quiz_status');
    await q.dropIndex('study_hour_ledger', 'idx_ledger_user_year');
    await q.dropIndex('attendance_sessions', 'idx_attendance_sessions_org_local_date');
    await q.dropIndex('study_days', 'idx_study_days_org_local_date');
  }
}
