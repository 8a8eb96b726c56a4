import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from '../migration-types';

/** Attendance engine (sessions, records, leave, make-ups, memberships) and study days (series, meetings, photos, feeds). */
export class StudyDaysAttendance1763771505000 implements MigrationInterface {
  name = 'StudyDaysAttendance1763771505000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'attendance_sessions',
        columns: [
          col.id(),
          col.varchar('session_type', 24),
          col.ref('org_id'),
          col.varchar('title', 200),
          col.instant('starts_at'),
          col.instant('ends_at'),
          col.instant('opens_at'),
          col.instant('closes_at'),
          col.int('grace_minutes'),
          col.varchar('local_date', 10),
          col.varchar('check_in_secret', 64, true),
          col.instant('check_in_opened_at', true),
          col.instant('closed_at', true),
          col.instant('cancelled_at', true),
          col.json('lesson_ids', false),
          col.hours('credit_hours', true),
          col.varchar('training_kind', 24, true),
          col.varchar('course_slug', 100, true),
          col.varchar('place', 200, true),
          col.instant('created_at'),
        ],
        foreignKeys: [
          {
            columnNames: ['org_id'],
            referencedTableName: 'org_nodes',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [
          new TableIndex({ columnNames: ['org_id', 'starts_at'] }),
          new TableIndex({ columnNames: ['closed_at', 'closes_at'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'attendance_records',
        columns: [
          col.id(),
          col.ref('session_id'),
          col.ref('user_id'),
          col.varchar('status', 16),
          col.varchar('reason', 500, true),
          col.ref('recorded_by', true),
          col.varchar('source', 16),
          col.instant('at'),
        ],
        uniques: [{ name: 'uq_attendance_person_session', columnNames: ['session_id', 'user_id'] }],
        foreignKeys: [
          {
            columnNames: ['session_id'],
            referencedTableName: 'attendance_sessions',
            referencedColumnNames: ['id'],
          },
          { columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'] },
        ],
        indices: [new TableIndex({ columnNames: ['user_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'leave_requests',
        columns: [
          col.id(),
          col.ref('session_id'),
          col.ref('user_id'),
          col.varchar('reason', 500),
          col.varchar('state', 16),
          col.ref('decided_by', true),
          col.instant('decided_at', true),
          col.varchar('decision_note', 500, true),
          col.instant('created_at'),
        ],
        uniques: [{ name: 'uq_leave_person_session', columnNames: ['session_id', 'user_id'] }],
        foreignKeys: [
          {
            columnNames: ['session_id'],
            referencedTableName: 'attendance_sessions',
            referencedColumnNames: ['id'],
          },
          { columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'] },
        ],
        indices: [new TableIndex({ columnNames: ['user_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'make_up_assignments',
        columns: [
          col.id(),
          col.ref('session_id'),
          col.ref('user_id'),
          col.varchar('reason', 16),
          col.json('lesson_ids', false),
          col.json('done_lesson_ids', false),
          col.varchar('due_on', 10),
          col.instant('done_at', true),
          col.instant('created_at'),
        ],
        uniques: [{ name: 'uq_make_up_person_session', columnNames: ['session_id', 'user_id'] }],
        foreignKeys: [
          {
            columnNames: ['session_id'],
            referencedTableName: 'attendance_sessions',
            referencedColumnNames: ['id'],
          },
          { columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'] },
        ],
        indices: [new TableIndex({ columnNames: ['user_id', 'done_at'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'branch_memberships',
        columns: [
          col.id(),
          col.ref('user_id'),
          col.ref('org_id'),
          col.varchar('joined_on', 10),
          col.varchar('left_on', 10, true),
        ],
        uniques: [{ name: 'uq_membership_start', columnNames: ['user_id', 'org_id', 'joined_on'] }],
        foreignKeys: [
          { columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'] },
          {
            columnNames: ['org_id'],
            referencedTableName: 'org_nodes',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [new TableIndex({ columnNames: ['org_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'study_day_series',
        columns: [
          col.id(),
          col.ref('org_id'),
          col.json('meeting_types', false),
          col.json('rule', false),
          col.varchar('start_time', 5),
          col.varchar('end_time', 5),
          col.varchar('zone', 64),
          col.varchar('from_date', 10),
          col.varchar('until_date', 10),
          col.varchar('topic', 200),
          col.varchar('place', 200),
          col.text('agenda'),
          col.json('lesson_ids', false),
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
        indices: [new TableIndex({ columnNames: ['org_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'study_days',
        columns: [
          col.id(),
          col.ref('org_id'),
          col.ref('series_id', true),
          col.json('meeting_types', false),
          col.instant('starts_at'),
          col.instant('ends_at'),
          col.varchar('local_date', 10),
          col.varchar('original_date', 10),
          col.varchar('zone', 64),
          col.varchar('topic', 200),
          col.varchar('place', 200),
          col.text('agenda'),
          col.json('lesson_ids', false),
          col.varchar('status', 16),
          col.varchar('change_reason', 500, true),
          col.bool('detached', false),
          col.int('sequence', false, 0),
          col.text('minutes', true),
          col.instant('minutes_at', true),
          col.json('evidence', false),
          col.ref('created_by', true),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        // One occurrence per series and rule date, so generating a year twice cannot double it.
        uniques: [
          { name: 'uq_study_day_series_date', columnNames: ['series_id', 'original_date'] },
        ],
        foreignKeys: [
          {
            columnNames: ['org_id'],
            referencedTableName: 'org_nodes',
            referencedColumnNames: ['id'],
          },
          {
            columnNames: ['series_id'],
            referencedTableName: 'study_day_series',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [new TableIndex({ columnNames: ['org_id', 'starts_at'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'study_day_photos',
        columns: [
          col.id(),
          col.ref('study_day_id'),
          col.varchar('mime', 32),
          col.int('bytes'),
          col.varchar('sha256', 64),
          col.text('data'),
          col.ref('uploaded_by'),
          col.instant('created_at'),
        ],
        foreignKeys: [
          {
            columnNames: ['study_day_id'],
            referencedTableName: 'study_days',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [new TableIndex({ columnNames: ['study_day_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'calendar_tokens',
        columns: [
          col.id(),
          col.varchar('kind', 16),
          col.ref('org_id', true),
          col.ref('user_id', true),
          col.varchar('token_hash', 64),
          col.ref('created_by'),
          col.instant('created_at'),
          col.instant('revoked_at', true),
        ],
        uniques: [{ name: 'uq_calendar_token_hash', columnNames: ['token_hash'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'calendar_tokens',
      'study_day_photos',
      'study_days',
      'study_day_series',
      'branch_memberships',
      'make_up_assignments',
      'leave_requests',
      'attendance_records',
      'attendance_sessions',
    ]) {
      await q.dropTable(table);
    }
  }
}
