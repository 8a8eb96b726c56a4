import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { createApp, prepareData } from '../../src/bootstrap';
import { AppConfigService } from '../../src/config/app-config.service';

/**
 * Building the demo city (migrations, content import, every module's demo history) takes seconds; doing it for each
 * of dozens of suites would dominate the run. So it is built once per run and code version, by the real migrations
 * and seed, and each suite gets a byte copy (SQLite) or a template clone (PostgreSQL) of it: still a fresh
 * database per suite.
 */
const ROOT = resolve(__dirname, '../..');

function fingerprint(extra: string): string {
  const hash = createHash('sha1').update(extra);
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
      } else if (!entry.name.endsWith('.spec.ts')) {
        const s = statSync(path);
        hash.update(`${path}:${s.size}:${s.mtimeMs}\n`);
      }
    }
  };
  walk(join(ROOT, 'src'));
  walk(join(ROOT, 'content'));
  // The demo history is relative to today; a new day means a new golden copy.
  hash.update(new Date().toISOString().slice(0, 10));
  return hash.digest('hex').slice(0, 16);
}

async function build(env: Record<string, string>): Promise<void> {
  const config = new AppConfigService({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DEMO: '1',
    PORT: '0',
    ...env,
  });
  const app = await createApp(config);
  try {
    await prepareData(app, config);
  } finally {
    await app.close();
  }
}

/** Waits for another process that is building the same golden copy (a directory is an atomic lock). */
async function withLock(
  lock: string,
  ready: () => boolean | Promise<boolean>,
  create: () => Promise<void>,
): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await ready()) {
      return;
    }
    try {
      mkdirSync(lock);
    } catch {
      await sleep(200);
      continue;
    }
    try {
      if (!(await ready())) {
        await create();
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
    return;
  }
  throw new Error(`timed out waiting for ${lock}`);
}

export async function sqliteFromGolden(target: string, contentDir?: string): Promise<void> {
  const key = fingerprint(`sqlite:${contentDir ?? ''}`);
  const golden = join(tmpdir(), `cadre-golden-${key}.sqlite`);
  await withLock(
    `${golden}.lock`,
    () => existsSync(golden),
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cadre-golden-build-'));
      const file = join(dir, 'academy.sqlite');
      await build({
        SQLITE_PATH: file,
        DATA_DIR: dir,
        ...(contentDir ? { CONTENT_DIR: contentDir } : {}),
      });
      copyFileSync(file, `${golden}.tmp`);
      // Closing the data source checkpointed the WAL into the main file; the rename makes the copy appear whole.
      renameSync(`${golden}.tmp`, golden);
      rmSync(dir, { recursive: true, force: true });
    },
  );
  copyFileSync(golden, target);
}

export async function postgresFromGolden(
  adminUrl: string,
  name: string,
  contentDir?: string,
): Promise<void> {
  const key = fingerprint(`postgres:${contentDir ?? ''}`);
  const golden = `cadre_golden_${key}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = async (): Promise<boolean> =>
      ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [golden])).rowCount ??
        0) > 0;
    await withLock(join(tmpdir(), `${golden}.lock`), exists, async () => {
      const building = `${golden}_build`;
      await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${building}`);
      const url = new URL(adminUrl);
      url.pathname = `/${building}`;
      const dir = mkdtempSync(join(tmpdir(), 'cadre-golden-build-'));
      await build({
        DATABASE_URL: url.toString(),
        DATA_DIR: dir,
        ...(contentDir ? { CONTENT_DIR: contentDir } : {}),
      });
      rmSync(dir, { recursive: true, force: true });
      // Older golden copies of earlier code versions are of no further use.
      const old = await admin.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE 'cadre_golden_%' AND datname NOT LIKE '%_build'",
      );
      for (const row of old.rows) {
        await admin.query(`DROP DATABASE IF EXISTS ${row.datname} WITH (FORCE)`);
      }
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${golden}`);
    });
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${golden}`);
  } finally {
    await admin.end();
  }
}
