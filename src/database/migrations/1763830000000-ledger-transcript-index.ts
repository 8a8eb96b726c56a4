import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

const TABLE = 'study_hour_ledger';
const OLD_COLUMNS = ['user_id', 'occurred_at'];

/**
 * A person's transcript read from one index: every column it shows, after (user_id, occurred_at). It replaces the
 * (user_id, occurred_at) index, its prefix. On the benchmark city (1.1 million ledger rows) a transcript read one
 * table page per row, scattered over five years of inserts; from the index it reads a few neighbouring pages.
 */
export class LedgerTranscriptIndex1763830000000 implements MigrationInterface {
  name = 'LedgerTranscriptIndex1763830000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      TABLE,
      new TableIndex({
        name: 'idx_ledger_user_transcript',
        columnNames: [
          ...OLD_COLUMNS,
          'activity_type',
          'activity_id',
          'training_kind',
          'year',
          'hours',
          'title',
          'course_slug',
          'basis_kind',
          'basis_value',
        ],
      }),
    );
    const old = await oldIndex(q);
    if (old) {
      await q.dropIndex(TABLE, old);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.createIndex(TABLE, new TableIndex({ columnNames: OLD_COLUMNS }));
    await q.dropIndex(TABLE, 'idx_ledger_user_transcript');
  }
}

/** The first migration's index, named by TypeORM from its columns: found by them. */
async function oldIndex(q: QueryRunner): Promise<TableIndex | undefined> {
  const table = await q.getTable(TABLE);
  return table?.indices.find(
    (i) =>
      i.columnNames.length === OLD_COLUMNS.length &&
      i.columnNames.every((c, n) => c === OLD_COLUMNS[n]),
  );
}
