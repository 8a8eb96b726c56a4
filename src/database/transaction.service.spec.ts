import { DataSource } from 'typeorm';
import { openTempSqlite } from './temp-sqlite.fixture-spec';
import { TransactionService } from './transaction.service';

describe('TransactionService on SQLite (group commit)', () => {
  let ds: DataSource;
  let close: () => Promise<void>;
  let tx: TransactionService;
  const commits: string[] = [];

  beforeEach(async () => {
    ({ ds, close } = await openTempSqlite('tx-'));
    await ds.query('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
    tx = new TransactionService(ds);
    const runner = ds.createQueryRunner();
    const query = runner.query.bind(runner);
    commits.length = 0;
    runner.query = ((sql: string, ...rest: unknown[]) => {
      if (/^COMMIT/.test(sql)) {
        commits.push(sql);
      }
      return (query as (...a: unknown[]) => Promise<unknown>)(sql, ...rest);
    }) as typeof runner.query;
  });

  afterEach(() => close());

  const names = async (): Promise<string[]> =>
    (await ds.query<Array<{ name: string }>>('SELECT name FROM items ORDER BY id')).map(
      (r) => r.name,
    );

  /**
   * Every statement the shared runner is sent while `fn` runs, with its parameters after it when it has some;
   * `observe` may follow each one's answer.
   */
  const sent = async (
    fn: () => Promise<unknown>,
    observe: (sql: string, answer: Promise<unknown>) => Promise<unknown> = (_sql, answer) => answer,
  ): Promise<string[]> => {
    const statements: string[] = [];
    const runner = ds.createQueryRunner();
    const query = runner.query.bind(runner);
    const own = Object.getOwnPropertyDescriptor(runner, 'query');
    runner.query = ((sql: string, ...rest: unknown[]) => {
      const params = rest[0];
      statements.push(Array.isArray(params) ? `${sql} ${JSON.stringify(params)}` : sql);
      return observe(sql, (query as (...a: unknown[]) => Promise<unknown>)(sql, ...rest));
    }) as typeof runner.query;
    try {
      await fn();
    } finally {
      Object.defineProperty(runner, 'query', own as PropertyDescriptor);
    }
    return statements;
  };

  it('commits waiting units together; a failing unit is undone alone and gets its own error', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        tx.run(async (m) => {
          await m.query('INSERT INTO items (name) VALUES (?)', [i === 7 ? 'n3' : `n${i}`]);
          if (i === 11) {
            await m.query('INSERT INTO items (name) VALUES (?)', ['n11-extra']);
            throw new Error('business rule refused unit 11');
          }
          return i;
        }),
      ),
    );
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
    expect(failed).toEqual([7, 11]);
    expect((results[11] as PromiseRejectedResult).reason).toEqual(
      new Error('business rule refused unit 11'),
    );
    expect(String((results[7] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(results[29]).toEqual({ status: 'fulfilled', value: 29 });
    const stored = await names();
    expect(stored).toHaveLength(28);
    expect(stored).not.toContain('n11-extra');
    expect(new Set(stored).size).toBe(28);
    // 30 units, far fewer commits: the first runs alone, the rest waited and were committed as a group.
    expect(commits.length).toBeGreaterThanOrEqual(2);
    expect(commits.length).toBeLessThan(10);
  });

  it('settles a unit only after its group is committed (the row is visible to another connection)', async () => {
    const other = new DataSource({ type: 'sqlite', database: String(ds.options.database) });
    await other.initialize();
    try {
      const seen = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          tx
            .run((m) => m.query('INSERT INTO items (name) VALUES (?)', [`v${i}`]))
            .then(async () =>
              Number(
                (
                  await other.query<Array<{ n: number }>>(
                    'SELECT COUNT(*) AS n FROM items WHERE name = ?',
                    [`v${i}`],
                  )
                )[0].n,
              ),
            ),
        ),
      );
      expect(seen).toEqual(Array(10).fill(1));
    } finally {
      await other.destroy();
    }
  });

  it('keeps working after a group whose commit could not even start its savepoints', async () => {
    const runner = ds.createQueryRunner();
    const original = runner.startTransaction.bind(runner);
    let calls = 0;
    runner.startTransaction = async (...a: Parameters<typeof original>) => {
      calls++;
      if (calls === 4) {
        throw new Error('disk I/O error');
      }
      return original(...a);
    };
    const first = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        tx.run((m) => m.query('INSERT INTO items (name) VALUES (?)', [`g${i}`])),
      ),
    );
    runner.startTransaction = original;
    // The unit that ran alone committed; every unit of the failed group failed and none of its rows stayed.
    expect(first[0].status).toBe('fulfilled');
    expect(first.slice(1).every((r) => r.status === 'rejected')).toBe(true);
    expect(await names()).toEqual(['g0']);
    await tx.run((m) => m.query('INSERT INTO items (name) VALUES (?)', ['after']));
    expect(await names()).toEqual(['g0', 'after']);
  });

  it('runs single-statement units of a group without savepoints; a refused one is undone alone', async () => {
    // 'sent' and 'answered' events of the inserts, to see whether the group's statements were queued together.
    const events: string[] = [];
    let results: PromiseSettledResult<unknown>[] = [];
    const statements = await sent(
      async () => {
        results = await Promise.allSettled(
          Array.from({ length: 6 }, (_, i) =>
            tx.runStatement((m) =>
              m.query('INSERT INTO items (name) VALUES (?)', [i === 3 ? 's1' : `s${i}`]),
            ),
          ),
        );
      },
      (sql, answer) => {
        if (!/^INSERT/.test(sql)) {
          return answer;
        }
        events.push('sent');
        return answer.finally(() => events.push('answered'));
      },
    );
    // Units 1 and 3 insert the same name; the group's statements run in no set order (each request's is its own),
    // so either of the two may be the one refused.
    const refused = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
    expect(refused.length).toBe(1);
    expect([1, 3]).toContain(refused[0]);
    expect(String((results[refused[0]] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect((await names()).sort()).toEqual(['s0', 's1', 's2', 's4', 's5']);
    // The first ran alone; the other five shared one transaction with no savepoint.
    expect(statements.filter((sql) => /SAVEPOINT/.test(sql))).toEqual([]);
    expect(statements.filter((sql) => /^COMMIT/.test(sql))).toHaveLength(2);
    // The five were sent to the connection together, not each after the previous one answered.
    expect(events).toEqual([
      'sent',
      'answered',
      ...Array(5).fill('sent'),
      ...Array(5).fill('answered'),
    ]);
  });

  it('refuses a second statement of a single-statement unit and abandons its group', async () => {
    const results = await Promise.allSettled([
      tx.runStatement((m) => m.query('INSERT INTO items (name) VALUES (?)', ['alone'])),
      tx.run((m) => m.query('INSERT INTO items (name) VALUES (?)', ['g-ok'])),
      tx.runStatement(async (m) => {
        await m.query('INSERT INTO items (name) VALUES (?)', ['two-1']);
        await m.query('INSERT INTO items (name) VALUES (?)', ['two-2']);
      }),
      tx.run((m) => m.query('INSERT INTO items (name) VALUES (?)', ['g-after'])),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/second statement/);
    expect(await names()).toEqual(['alone']);
    // And the queue carries on.
    await tx.runStatement((m) => m.query('INSERT INTO items (name) VALUES (?)', ['later']));
    expect(await names()).toEqual(['alone', 'later']);
  });

  it('counts only the unit’s own statements, not other reads on the shared SQLite connection meanwhile', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) =>
        tx.runStatement(async (m) => {
          // Another request's read through the data source, on the same SQLite connection.
          await ds.query('SELECT COUNT(*) AS n FROM items');
          return m.query('INSERT INTO items (name) VALUES (?)', [`r${i}`]);
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(4).fill('fulfilled'));
    // A group's single statements run in no set order.
    expect((await names()).sort()).toEqual(['r0', 'r1', 'r2', 'r3']);
  });

  it('runs replayable units of a group under one savepoint; one refused at its first write fails alone', async () => {
    let results: PromiseSettledResult<unknown>[] = [];
    const statements = await sent(async () => {
      results = await Promise.allSettled(
        ['r0', 'r1', 'r2', 'r1', 'r4'].map((name) =>
          tx.runReplayable(async (m) => {
            await m.query('INSERT INTO items (name) VALUES (?)', [name]);
            await m.query('INSERT INTO items (name) VALUES (?)', [`${name}-hours`]);
            return name;
          }),
        ),
      );
    });
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(String((results[3] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect((await names()).sort()).toEqual(
      ['r0', 'r0-hours', 'r1', 'r1-hours', 'r2', 'r2-hours', 'r4', 'r4-hours'].sort(),
    );
    // The first ran alone (a transaction of its own); the other four shared one savepoint.
    expect(statements.filter((sql) => /^SAVEPOINT/.test(sql))).toHaveLength(1);
    // Side by side: each unit of the shared run had sent its first insert before any unit sent its second.
    const inserted = statements
      .filter((sql) => /^INSERT/.test(sql))
      .map((sql) => (JSON.parse(sql.slice(sql.indexOf('['))) as string[])[0]);
    expect(inserted.slice(2, 6)).toEqual(['r1', 'r2', 'r1', 'r4']);
    expect(statements.filter((sql) => /^COMMIT/.test(sql))).toHaveLength(2);
  });

  it('runs a replayable run again, a savepoint per unit, when one of its units fails after writing', async () => {
    const runs = new Map<string, number>();
    const unit = (name: string, failAfterWrite = false) =>
      tx.runReplayable(async (m) => {
        runs.set(name, (runs.get(name) ?? 0) + 1);
        await m.query('INSERT INTO items (name) VALUES (?)', [name]);
        if (failAfterWrite) {
          throw new Error(`${name} refused after writing`);
        }
        return name;
      });
    let results: PromiseSettledResult<unknown>[] = [];
    const statements = await sent(async () => {
      results = await Promise.allSettled([unit('first'), unit('a'), unit('b', true), unit('c')]);
    });
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/refused after writing/);
    // Nothing of the failed unit is kept, and nothing of the others is written twice.
    expect((await names()).sort()).toEqual(['a', 'c', 'first']);
    // 'a', 'b' and 'c' ran side by side under the shared savepoint, then each once more in its own.
    expect(Object.fromEntries(runs)).toEqual({ first: 1, a: 2, b: 2, c: 2 });
    expect(
      statements.filter((sql) => /^ROLLBACK TO SAVEPOINT/.test(sql)).length,
    ).toBeGreaterThanOrEqual(2);
  });
});
