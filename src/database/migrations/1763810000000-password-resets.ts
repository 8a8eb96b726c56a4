import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from '../migration-types';

/**
 * One-time password-reset links (only the SHA-256 of the secret is stored) and the flag that sends a person whose
 * password was chosen by someone else to the change-password page.
 */
export class PasswordResets1763810000000 implements MigrationInterface {
  name = 'PasswordResets1763810000000';

  async up(q: QueryRunner): Promise<void> {
    // A plain ADD COLUMN on both databases: TypeORM's addColumn rebuilds the whole table on SQLite, and `users` is
    // referenced by most tables.
    await q.query(
      'ALTER TABLE "users" ADD COLUMN "must_change_password" boolean NOT NULL DEFAULT false',
    );
    await q.createTable(
      new Table({
        name: 'password_resets',
        columns: [
          col.id(),
          col.ref('user_id'),
          col.varchar('token_hash', 64),
          col.ref('created_by', true),
          col.instant('created_at'),
          col.instant('expires_at'),
          col.instant('used_at', true),
          col.instant('revoked_at', true),
        ],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        uniques: [{ name: 'uq_password_resets_token_hash', columnNames: ['token_hash'] }],
        indices: [new TableIndex({ name: 'idx_password_resets_user', columnNames: ['user_id'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('password_resets');
    await q.query('ALTER TABLE "users" DROP COLUMN "must_change_password"');
  }
}
