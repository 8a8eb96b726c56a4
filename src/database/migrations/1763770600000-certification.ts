import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from '../migration-types';

/** Certificates with their issued PDFs, serial counters per issuer and year, practical-task submissions. */
export class Certification1763770600000 implements MigrationInterface {
  name = 'Certification1763770600000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'certificates',
        columns: [
          col.id(),
          col.ref('user_id'),
          col.varchar('rule_key', 64),
          col.varchar('period_key', 16),
          col.int('issue_no', false, 0),
          col.varchar('serial', 40),
          col.varchar('verify_code', 32),
          col.varchar('title', 100),
          col.varchar('title_en', 100),
          col.varchar('level', 16, true),
          col.varchar('level_relation', 16, true),
          col.varchar('training_kind', 16),
          col.hours('hours'),
          col.varchar('holder_name', 64),
          col.ref('issuer_org_id'),
          col.varchar('issuer_name', 100),
          col.instant('issued_at'),
          col.varchar('pdf_sha256', 64),
          col.varchar('status', 16, false, 'valid'),
          col.instant('revoked_at', true),
          col.ref('revoked_by', true),
          col.varchar('revoke_reason', 500, true),
          col.ref('superseded_by_id', true),
          col.ref('replaces_id', true),
        ],
        foreignKeys: [
          { columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'] },
          {
            columnNames: ['issuer_org_id'],
            referencedTableName: 'org_nodes',
            referencedColumnNames: ['id'],
          },
        ],
        uniques: [
          {
            name: 'uq_certificates_issue',
            columnNames: ['user_id', 'rule_key', 'period_key', 'issue_no'],
          },
          { name: 'uq_certificates_serial', columnNames: ['serial'] },
          { name: 'uq_certificates_verify_code', columnNames: ['verify_code'] },
        ],
        indices: [
          new TableIndex({ columnNames: ['issued_at'] }),
          new TableIndex({ columnNames: ['issuer_org_id'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'certificate_files',
        columns: [{ ...col.id('certificate_id') }, col.text('pdf_base64')],
        foreignKeys: [
          {
            columnNames: ['certificate_id'],
            referencedTableName: 'certificates',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'certificate_serial_counters',
        columns: [
          { ...col.ref('org_id'), isPrimary: true },
          { ...col.int('year'), isPrimary: true },
          col.int('last_number', false, 0),
        ],
        foreignKeys: [
          {
            columnNames: ['org_id'],
            referencedTableName: 'org_nodes',
            referencedColumnNames: ['id'],
          },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'practical_task_submissions',
        columns: [
          col.id(),
          col.ref('user_id'),
          col.ref('lesson_id'),
          col.varchar('course_slug', 64),
          col.varchar('lesson_title', 200),
          col.varchar('note', 2000, true),
          col.instant('submitted_at'),
          col.varchar('status', 16, false, 'submitted'),
          col.ref('mentor_id', true),
          col.varchar('mentor_note', 2000, true),
          col.instant('signed_off_at', true),
          col.hours('hours', true),
        ],
        foreignKeys: [
          { columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'] },
        ],
        uniques: [{ name: 'uq_task_submission', columnNames: ['user_id', 'lesson_id'] }],
        indices: [new TableIndex({ columnNames: ['status'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('practical_task_submissions');
    await q.dropTable('certificate_serial_counters');
    await q.dropTable('certificate_files');
    await q.dropTable('certificates');
  }
}
