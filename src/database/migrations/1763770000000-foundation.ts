import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from '../migration-types';

/** Organisation tree, people, roles, sessions, audit log and policy documents. */
export class Foundation1763770000000 implements MigrationInterface {
  name = 'Foundation1763770000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'org_nodes',
        columns: [
          col.id(),
          col.varchar('kind', 16),
          col.varchar('name', 100),
          col.varchar('name_en', 100, true),
          col.ref('parent_id', true),
          col.varchar('path', 400),
          col.int('depth'),
          col.varchar('zone', 64, false, 'Asia/Shanghai'),
          col.varchar('code', 32, true),
          col.instant('created_at'),
        ],
        foreignKeys: [
          {
            columnNames: ['parent_id'],
            referencedTableName: 'org_nodes',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [
          new TableIndex({ columnNames: ['path'] }),
          new TableIndex({ columnNames: ['parent_id'] }),
          new TableIndex({ columnNames: ['kind'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          col.id(),
          col.varchar('username', 64),
          col.varchar('display_name', 64),
          col.varchar('password_hash', 200),
          col.varchar('phone', 32, true),
          col.ref('org_id'),
          col.bool('party_member', false),
          col.varchar('post_type', 16, true),
          col.int('post_grade', true),
          col.varchar('hire_date', 10, true),
          col.varchar('qualification_level', 16, false, 'none'),
          col.varchar('registration_start', 10, true),
          col.bool('branch_committee', false),
          col.bool('active', true),
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
        uniques: [{ name: 'uq_users_username', columnNames: ['username'] }],
        indices: [new TableIndex({ columnNames: ['org_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'role_assignments',
        columns: [col.id(), col.ref('user_id'), col.varchar('role', 16), col.ref('org_id')],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            columnNames: ['org_id'],
            referencedTableName: 'org_nodes',
            referencedColumnNames: ['id'],
          },
        ],
        uniques: [{ name: 'uq_role_assignment', columnNames: ['user_id', 'role', 'org_id'] }],
        indices: [new TableIndex({ columnNames: ['org_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'auth_sessions',
        columns: [
          col.id(),
          col.ref('user_id'),
          col.varchar('token_hash', 64),
          col.varchar('kind', 8),
          col.instant('created_at'),
          col.instant('last_seen_at'),
          col.instant('expires_at'),
          col.instant('revoked_at', true),
          col.varchar('ip', 64, true),
        ],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        uniques: [{ name: 'uq_auth_session_token', columnNames: ['token_hash'] }],
        indices: [new TableIndex({ columnNames: ['user_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_log',
        columns: [
          col.id(),
          col.instant('at'),
          col.ref('actor_id', true),
          col.varchar('actor_name', 64, true),
          col.varchar('action', 64),
          col.varchar('target_type', 32, true),
          col.varchar('target_id', 64, true),
          col.ref('org_id', true),
          col.varchar('ip', 64, true),
          col.text('details', true),
        ],
        indices: [
          new TableIndex({ columnNames: ['at'] }),
          new TableIndex({ columnNames: ['org_id', 'at'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'policy_documents',
        columns: [
          { name: 'key', type: 'varchar', length: '64', isPrimary: true },
          col.varchar('title', 200),
          col.varchar('title_en', 200, true),
          col.text('body'),
          col.varchar('checksum', 64),
          col.instant('imported_at'),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'policy_documents',
      'audit_log',
      'auth_sessions',
      'role_assignments',
      'users',
      'org_nodes',
    ]) {
      await q.dropTable(table);
    }
  }
}
