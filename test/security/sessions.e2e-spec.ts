import { SESSION_COOKIE } from '../../src/auth/session-cookie';
import { SessionsService } from '../../src/auth/sessions.service';
import { startTestApp, TestApp } from '../helpers/test-app';
import { BOOT_TIMEOUT, FiveHundredGuard, sql } from './support';

/** SECURITY-TESTS.md 15, 18, 19, 20, 23, 27, 106, 108, 109: sessions, sign-in, headers and the audit of sign-ins. */
describe('Sessions, sign-in and headers', () => {
  let t: TestApp;
  const guard = new FiveHundredGuard();
  let api: TestApp['api'];

  beforeAll(async () => {
    t = await startTestApp({ env: { TRUST_PROXY: '1' } });
    api = guard.wrap(t);
  }, BOOT_TIMEOUT);

  afterAll(async () => {
    await t?.close();
    expect(guard.seen).toEqual([]);
  });

  it('changes the session id at every login; the old one is dead after logout', async () => {
    const page = guard.pages(t);
    expect((await page.signIn('user010')).status).toBe(303);
    const first = page.cookie(SESSION_COOKIE) as string;
    expect((await page.signIn('user010')).status).toBe(303);
    const second = page.cookie(SESSION_COOKIE) as string;
    expect(first).toBeTruthy();
    expect(second).not.toBe(first);
    const home = await page.get('/');
    expect(home.status).toBe(200);
    const out = await page.post('/logout', {
      _csrf: (/name="_csrf" value="([^"]+)"/.exec(home.text) as RegExpExecArray)[1],
    });
    expect([302, 303]).toContain(out.status);
    // The signed-out session is dead on replay; a sign-in on another device (first) is that device's own session.
    const replay = await api('GET', '/api/v1/me', {
      headers: { cookie: `${SESSION_COOKIE}=${second}` },
    });
    expect(replay.status).toBe(401);
    const replayPage = await api('GET', '/', {
      headers: { cookie: `${SESSION_COOKIE}=${second}`, accept: 'text/html' },
    });
    expect(replayPage.status).toBe(303);
  });

  it('sets HttpOnly, SameSite and (behind a TLS proxy) Secure cookies', async () => {
    const form = await fetch(`${t.url}/login`, { headers: { 'x-forwarded-proto': 'https' } });
    const csrf = (/name="_csrf" value="([^"]+)"/.exec(await form.text()) as RegExpExecArray)[1];
    const jar = form.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const res = await fetch(`${t.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'x-forwarded-proto': 'https',
        'content-type': 'application/x-www-form-urlencoded',
        cookie: jar,
      },
      body: new URLSearchParams({
        username: 'user011',
        password: 'demo1234',
        _csrf: csrf,
      }).toString(),
    });
    expect(res.status).toBe(303);
    const cookie = res.headers
      .getSetCookie()
      .find((c) => c.startsWith(`${SESSION_COOKIE}=`)) as string;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).not.toMatch(/Domain=/i);
  });

  it('ends a page session after 2 h idle or 12 h in all', async () => {
    for (const column of ['last_seen_at', 'expires_at']) {
      const page = guard.pages(t);
      await page.signIn('user012');
      expect((await page.get('/')).status).toBe(200);
      const when =
        column === 'last_seen_at'
          ? new Date(Date.now() - 2 * 3600_000 - 60_000)
          : new Date(Date.now() - 1000);
      await sql(
        t,
        `UPDATE auth_sessions SET ${column} = ? WHERE user_id = (SELECT id FROM users WHERE username = ?)`,
        [when.toISOString(), 'user012'],
      );
      // A change made outside the app (here: SQL) is seen once the 5 s in-process session cache has lapsed.
      await new Promise((r) => setTimeout(r, 5_200));
      expect((await page.get('/')).status).toBe(303);
    }
  }, 30_000);

  it('shares one lookup among simultaneous first requests of a session; a revocation meanwhile is not cached', async () => {
    const sessions = t.app.get(SessionsService);
    const [person] = await sql<{ id: string }>(t, 'SELECT id FROM users WHERE username = ?', [
      'user014',
    ]);
    const { secret } = await sessions.open(person.id, 'token', null);
    // The private lookup is what a request costs the database on a cache miss.
    const lookup = jest.spyOn(
      sessions as unknown as { sessionWithPerson: () => Promise<unknown> },
      'sessionWithPerson',
    );
    try {
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => api('GET', '/api/v1/me', { token: secret })),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
      expect(lookup).toHaveBeenCalledTimes(1);

      const { secret: second } = await sessions.open(person.id, 'token', null);
      const inFlight = sessions.resolve(second, 'token');
      await sessions.revokeOthersOf(person.id, null);
      await inFlight;
      // Whatever the lookup that raced the revocation answered, it left nothing behind in the cache.
      expect(await sessions.resolve(second, 'token')).toBeNull();
      expect((await api('GET', '/api/v1/me', { token: secret })).status).toBe(401);
    } finally {
      lookup.mockRestore();
    }
  });

  it('writes the last-seen time of sessions used after a minute, many in one statement, and keeps them usable', async () => {
    const sessions = t.app.get(SessionsService);
    const people = await sql<{ id: string }>(
      t,
      "SELECT id FROM users WHERE username IN ('user015', 'user016', 'user017') ORDER BY username",
    );
    expect(people).toHaveLength(3);
    const opened = await Promise.all(people.map((p) => sessions.open(p.id, 'token', null)));
    const ids = opened.map((o) => o.sessionId);
    const marks = ids.map(() => '?').join(', ');
    const twoMinutesAgo = new Date(Date.now() - 120_000).toISOString();
    await sql(t, `UPDATE auth_sessions SET last_seen_at = ? WHERE id IN (${marks})`, [
      twoMinutesAgo,
      ...ids,
    ]);
    const writes = jest.spyOn(
      (sessions as unknown as { tx: { runStatement: () => Promise<unknown> } }).tx,
      'runStatement',
    );
    try {
      const before = Date.now();
      const answers = await Promise.all(
        opened.map((o) => api('GET', '/api/v1/me', { token: o.secret })),
      );
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      await sessions.flushTouches();
      // Written after the requests, together: one statement (two if the flush timer fell between them).
      expect(writes.mock.calls.length).toBeGreaterThanOrEqual(1);
      expect(writes.mock.calls.length).toBeLessThanOrEqual(2);
      const rows = await sql<{ last_seen_at: string }>(
        t,
        `SELECT last_seen_at FROM auth_sessions WHERE id IN (${marks})`,
        ids,
      );
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        expect(new Date(row.last_seen_at).getTime()).toBeGreaterThanOrEqual(before - 1000);
        expect(new Date(row.last_seen_at).getTime()).toBeLessThanOrEqual(Date.now());
      }
      // Nothing is left waiting: a second flush writes nothing.
      writes.mockClear();
      await sessions.flushTouches();
      expect(writes).not.toHaveBeenCalled();
    } finally {
      writes.mockRestore();
    }
  });

  it('drops cached sessions past their few seconds when it caches the next, so a storm leaves none behind', async () => {
    const sessions = t.app.get(SessionsService);
    const cache = (sessions as unknown as { cache: Map<string, { sessionId: string }> }).cache;
    const people = await sql<{ id: string }>(
      t,
      "SELECT id FROM users WHERE username IN ('user018', 'user019') ORDER BY username",
    );
    expect(people).toHaveLength(2);
    const [first, second] = await Promise.all(
      people.map((p) => sessions.open(p.id, 'token', null)),
    );
    expect(await sessions.resolve(first.secret, 'token')).not.toBeNull();
    const cachedIds = () => [...cache.values()].map((e) => e.sessionId);
    expect(cachedIds()).toContain(first.sessionId);
    // Six seconds on (the cache keeps a session for five): the next session cached takes the lapsed one out.
    const later = Date.now() + 6_000;
    const clock = jest.spyOn(Date, 'now').mockReturnValue(later);
    try {
      expect(await sessions.resolve(second.secret, 'token')).not.toBeNull();
      expect(cachedIds()).toContain(second.sessionId);
      expect(cachedIds()).not.toContain(first.sessionId);
      // The lapsed session itself still resolves, read afresh, and is cached again behind the other.
      expect(await sessions.resolve(first.secret, 'token')).not.toBeNull();
      expect(cachedIds().slice(-2)).toEqual([second.sessionId, first.sessionId]);
    } finally {
      clock.mockRestore();
      await sessions.flushTouches();
    }
  });

  it('throttles failed sign-ins on the API and the page alike (one counter), then refuses the right password', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await api('POST', '/api/v1/auth/login', {
        body: { username: 'user013', password: `wrong-${i}` },
      });
      expect(r.status).toBe(401);
    }
    const apiTry = await api('POST', '/api/v1/auth/login', {
      body: { username: 'user013', password: 'demo1234' },
    });
    expect(apiTry.status).toBe(429);
    expect(apiTry.headers.get('retry-after')).toBeTruthy();
    const page = guard.pages(t);
    const res = await page.signIn('user013');
    expect(res.status).not.toBe(303);
    expect(page.cookie(SESSION_COOKIE)).toBeUndefined();
    // Every failure is in the audit log, with the address.
    const rows = await sql<{ n: string | number }>(
      t,
      "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'auth.failed' AND target_id = 'user013'",
    );
    expect(Number(rows[0]?.n)).toBe(10);
  }, 60_000);

  it('applies the password rules: >= 8, common ones refused, 64+ accepted and verified exactly', async () => {
    const admin = await t.token('admin');
    const me = await api('GET', '/api/v1/me', { token: admin });
    const orgId = me.json.org?.id ?? me.json.roles[0].orgId;
    const create = (username: string, password: string) =>
      api('POST', '/api/v1/users', {
        token: admin,
        body: { username, displayName: username, password, orgId },
      });
    expect((await create('pw_short', 'Ab1!xyz')).status).toBe(400);
    expect((await create('pw_common', '12345678')).status).toBe(400);
    expect((await create('pw_common2', 'password')).status).toBe(400);
    const long = `${'长城'.repeat(20)}${'x'.repeat(40)}`;
    expect((await create('pw_long', long)).status).toBe(201);
    expect(
      (await api('POST', '/api/v1/auth/login', { body: { username: 'pw_long', password: long } }))
        .status,
    ).toBe(200);
    const changed = `${long.slice(0, 72)}y${long.slice(73)}`;
    expect(
      (
        await api('POST', '/api/v1/auth/login', {
          body: { username: 'pw_long', password: changed },
        })
      ).status,
    ).toBe(401);
  });

  it('sends the security headers on pages, JSON, errors and static files; no-store on personal answers', async () => {
    const token = await t.token('cadre');
    for (const [path, auth] of [
      ['/login', false],
      ['/', true],
      ['/api/v1/me', true],
      ['/nope', false],
      ['/static/css/app.css', false],
      ['/api/v1/me/transcript', true],
      ['/me/certificates', true],
    ] as const) {
      const res = await api('GET', path, {
        token: auth ? token : undefined,
        headers: { accept: path.startsWith('/api') ? 'application/json' : 'text/html' },
      });
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      if (auth) {
        expect(res.headers.get('cache-control')).toContain('no-store');
      }
      // No inline script in any page.
      expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    }
    const evil = await api('GET', '/api/v1/me', {
      token,
      headers: { origin: 'https://evil.example' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends the sign-in page only to same-origin places after login (no open redirect)', async () => {
    for (const next of [
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      'javascript:alert(1)',
    ]) {
      const page = guard.pages(t);
      const form = await page.get(`/login?next=${encodeURIComponent(next)}`);
      const res = await page.post(`/login?next=${encodeURIComponent(next)}`, {
        username: 'user014',
        password: 'demo1234',
        _csrf: (/name="_csrf" value="([^"]+)"/.exec(form.text) as RegExpExecArray)[1],
      });
      const location = res.headers.get('location') ?? '';
      expect(location.startsWith('/')).toBe(true);
      expect(location.startsWith('//')).toBe(false);
      expect(location).not.toContain('evil');
    }
  });
});
