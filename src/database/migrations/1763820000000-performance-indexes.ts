import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * Indexes found by profiling the benchmark city: attendance rows read by session with their status (the regularity
 * and attendance rates count statuses per session without touching the table rows).
 */
export class PerformanceIndexes1763820000000 implements MigrationInterface {
  name = 'PerformanceIndexes1763820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'attendance_records',
      new TableIndex({
        name: 'idx_attendance_records_session_status',
        columnNames: ['session_id', 'status', 'user_id'],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('attendance_records', 'idx_attendance_records_session_status');
  }
}
