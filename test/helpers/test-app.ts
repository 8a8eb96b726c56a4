import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createApp, prepareData } from '../../src/bootstrap';
import { AppConfigService } from '../../src/config/app-config.service';
import { postgresFromGolden, sqliteFromGolden } from './golden-database';

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  db: 'sqlite' | 'postgres';
  dataSource: DataSource;
  config: AppConfigService;
  /** Signs in through the API and returns the bearer token. */
  token(username: string, password?: string): Promise<string>;
  /** fetch against the running app, with JSON helpers. */
  api(
    method: string,
    path: string,
    opts?: {
      token?: string;
      body?: unknown;
      headers?: Record<string, string>;
      raw?: string | Buffer;
    },
  ): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON shapes
  json: any;
}

const ADMIN_PG =
  process.env.TEST_PG_ADMIN_URL ??
  process.env.DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

const serverErrors: string[] = [];

/** Every HTTP answer the helpers receive is checked; a 500 fails the suite when its app closes. */
function noteServerError(method: string, path: string, status: number): void {
  if (status === 500) {
    serverErrors.push(`${method} ${path.slice(0, 120)}`);
  }
}

/** The database the suite runs on: SQLite by default, PostgreSQL with TEST_DB=postgres (npm run test:pg). */
export const TEST_DB: 'sqlite' | 'postgres' =
  process.env.TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

async function createPgDatabase(
  demo: boolean,
  contentDir?: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `cadre_test_${randomBytes(6).toString('hex')}`;
  if (demo) {
    await postgresFromGolden(ADMIN_PG, name, contentDir);
  } else {
    const admin = new Client({ connectionString: ADMIN_PG });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
  }
  const url = new URL(ADMIN_PG);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: ADMIN_PG });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Boots the real application (same configureApp, real migrations) on a fresh database and listens on a free port.
 * With `demo: true` (the default) the demo city, its accounts and content/ are loaded as on a first `npm start`.
 */
export async function startTestApp(
  opts: { demo?: boolean; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'cadre-test-'));
  let dropPg: (() => Promise<void>) | undefined;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    SQLITE_PATH: join(dir, 'academy.sqlite'),
    DATA_DIR: dir,
    LOG_LEVEL: 'error',
    DEMO: opts.demo === false ? '0' : '1',
    PORT: '0',
    ...(process.env.TEST_CONTENT_DIR ? { CONTENT_DIR: process.env.TEST_CONTENT_DIR } : {}),
    ...opts.env,
  };
  const demo = opts.demo !== false;
  if (TEST_DB === 'postgres') {
    const pg = await createPgDatabase(demo, env.CONTENT_DIR);
    env.DATABASE_URL = pg.url;
    dropPg = pg.drop;
  } else if (demo) {
    await sqliteFromGolden(env.SQLITE_PATH, env.CONTENT_DIR);
  }
  const config = new AppConfigService(env);
  const app = await createApp(config);
  await prepareData(app, config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;

  const api: TestApp['api'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) {
      headers.authorization = `Bearer ${o.token}`;
    }
    let body: string | Blob | undefined;
    if (o.raw !== undefined) {
      body = typeof o.raw === 'string' ? o.raw : new Blob([new Uint8Array(o.raw)]);
    } else if (o.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(o.body);
    }
    const res = await fetch(url + path, { method, headers, body, redirect: 'manual' });
    noteServerError(method, path, res.status);
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };

  return {
    app,
    url,
    db: TEST_DB,
    config,
    dataSource: app.get(DataSource),
    api,
    token: async (username, password = 'demo1234') => {
      const res = await api('POST', '/api/v1/auth/login', { body: { username, password } });
      if (res.status !== 200) {
        throw new Error(`sign-in of ${username} failed: ${res.status} ${res.text}`);
      }
      return (res.json as { accessToken: string }).accessToken;
    },
    close: async () => {
      // No response anywhere in the suite may be a 500: every client mistake must get a 4xx.
      const seen = serverErrors.splice(0);
      await app.close();
      await dropPg?.();
      rmSync(dir, { recursive: true, force: true });
      if (seen.length > 0) {
        throw new Error(
          `the suite saw ${seen.length} response(s) with status 500: ${seen.slice(0, 5).join('; ')}`,
        );
      }
    },
  };
}

/** A tiny cookie-keeping browser for page forms: GET a page, read its CSRF token, POST the form. */
export class PageClient {
  private cookies = new Map<string, string>();

  constructor(private readonly base: string) {}

  async get(path: string): Promise<ApiResponse> {
    return this.request('GET', path);
  }

  async post(path: string, form: Record<string, string>): Promise<ApiResponse> {
    return this.request(
      'POST',
      path,
      new URLSearchParams(form).toString(),
      'application/x-www-form-urlencoded',
    );
  }

  /** The CSRF token of the form on a page. */
  static csrf(html: string): string {
    const match = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!match?.[1]) {
      throw new Error('no CSRF token on the page');
    }
    return match[1];
  }

  async signIn(username: string, password = 'demo1234'): Promise<ApiResponse> {
    // A signed-in person is sent on from /login; their dashboard's sign-out form carries a token too.
    let page = await this.get('/login');
    if (page.status === 303) {
      page = await this.get('/');
    }
    return this.post('/login', { username, password, _csrf: PageClient.csrf(page.text) });
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async request(
    method: string,
    path: string,
    body?: string,
    contentType?: string,
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = {
      cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    };
    if (contentType) {
      headers['content-type'] = contentType;
    }
    const res = await fetch(this.base + path, { method, headers, body, redirect: 'manual' });
    noteServerError(method, path, res.status);
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, ...v] = (pair ?? '').split('=');
      if (k) {
        this.cookies.set(k.trim(), v.join('='));
      }
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }
}
