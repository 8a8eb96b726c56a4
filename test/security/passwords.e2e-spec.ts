import crypto, { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { AppConfigService } from '../../src/config/app-config.service';
import { UsersService } from '../../src/organizations/users.service';
import { OrgNodeEntity } from '../../src/organizations/org-node.entity';
import { SESSION_COOKIE } from '../../src/auth/session-cookie';
import { PageClient, startTestApp, TestApp } from '../helpers/test-app';
import { BOOT_TIMEOUT, count, FiveHundredGuard, makePerson, orgByName, sql } from './support';

/**
 * SECURITY-TESTS.md 16, 17, 22-26: changing one's own password, one-time reset links handed over by an officer,
 * the must-change flag on passwords someone else chose, enumeration through sign-in and reset, and the
 * per-address throttle against spoofed X-Forwarded-For.
 */

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const csrfOf = (html: string): string => PageClient.csrf(html);
const isTrue = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 't';
const tokenOf = (resetUrl: string): string => new URL(resetUrl).pathname.split('/').pop() ?? '';
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

interface Raw {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
  ms: number;
}

/** A JSON POST sent from a chosen loopback address, so a test can be "another client" to the per-address throttle. */
function postFrom(
  t: TestApp,
  localAddress: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Raw> {
  const url = new URL(t.url + path);
  const payload = JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: 'POST',
        localAddress,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text,
            headers: res.headers,
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('Passwords: change, reset links, must-change, enumeration, spoofed addresses', () => {
  let t: TestApp;
  const guard = new FiveHundredGuard();
  let api: TestApp['api'];
  let admin: string;
  let secretary: string;
  let home: OrgNodeEntity;
  let sibling: OrgNodeEntity;

  const passwordHashOf = async (username: string): Promise<string> =>
    (
      await sql<{ password_hash: string }>(
        t,
        'SELECT password_hash FROM users WHERE username = ?',
        [username],
      )
    )[0]?.password_hash ?? '';
  const openSessions = (userId: string): Promise<number> =>
    count(t, 'SELECT COUNT(*) AS n FROM auth_sessions WHERE user_id = ? AND revoked_at IS NULL', [
      userId,
    ]);
  const idOf = async (username: string): Promise<string> =>
    (await sql<{ id: string }>(t, 'SELECT id FROM users WHERE username = ?', [username]))[0]?.id ??
    '';
  const login = (username: string, password: string) =>
    api('POST', '/api/v1/auth/login', { body: { username, password } });
  const createByOfficer = (token: string, username: string, password: string, orgId = home.id) =>
    api('POST', '/api/v1/users', {
      token,
      body: { username, displayName: username, password, orgId },
    });
  const issue = (token: string, userId: string) =>
    api('POST', `/api/v1/users/${userId}/password-reset`, { token });
  /** An anonymous browser on the reset page: reads the form's CSRF token and posts the new password. */
  const resetWithPage = async (
    token: string,
    newPassword: string,
    confirmPassword = newPassword,
  ) => {
    const page = guard.pages(t);
    const form = await page.get(`/reset-password/${token}`);
    // A dead link shows no form: take a valid CSRF token from the sign-in page, as a scripted attacker would.
    const csrf = csrfOf(form.status === 200 ? form.text : (await page.get('/login')).text);
    return page.post(`/reset-password/${token}`, { newPassword, confirmPassword, _csrf: csrf });
  };

  beforeAll(async () => {
    t = await startTestApp();
    api = guard.wrap(t);
    [admin, secretary] = await Promise.all([t.token('admin'), t.token('secretary')]);
    home = await orgByName(t, '阳光社区第一党支部');
    sibling = await orgByName(t, '阳光社区第二党支部');
  }, BOOT_TIMEOUT);

  afterAll(async () => {
    await t?.close();
    expect(guard.seen).toEqual([]);
  });

  describe('22. changing one’s own password', () => {
    it('needs the current password; ends every other session and token, the one used goes on', async () => {
      const used = await t.token('user020');
      const other = await t.token('user020');
      const browser = guard.pages(t);
      await browser.signIn('user020');
      expect((await browser.get('/')).status).toBe(200);
      const id = await idOf('user020');
      expect(await openSessions(id)).toBe(3);

      const res = await api('POST', '/api/v1/me/password', {
        token: used,
        body: { currentPassword: 'demo1234', newPassword: 'Two jujube trees by my door' },
      });
      expect(res.status).toBe(204);
      expect((await api('GET', '/api/v1/me', { token: used })).status).toBe(200);
      expect((await api('GET', '/api/v1/me', { token: other })).status).toBe(401);
      expect((await browser.get('/')).status).toBe(303);
      expect(await openSessions(id)).toBe(1);

      expect((await login('user020', 'demo1234')).status).toBe(401);
      expect((await login('user020', 'Two jujube trees by my door')).status).toBe(200);
      const hash = await passwordHashOf('user020');
      expect(hash).toMatch(/^scrypt\$/);
      expect(hash).not.toContain('jujube');
      const audit = await sql<{ details: string | null }>(
        t,
        "SELECT details FROM audit_log WHERE action = 'auth.password_changed' AND target_id = ?",
        [id],
      );
      expect(audit).toHaveLength(1);
      expect(JSON.stringify(audit)).not.toContain('jujube');
    });

    it('answers a wrong current password with 400 and a clear message, changes nothing, and counts it as a failed sign-in', async () => {
      const token = await t.token('user021');
      const before = await passwordHashOf('user021');
      const wrong = (lang = '') =>
        api('POST', `/api/v1/me/password${lang}`, {
          token,
          body: { currentPassword: 'not-my-password', newPassword: 'A brand new passphrase' },
        });
      const zh = await wrong();
      expect(zh.status).toBe(400);
      expect(zh.json).toEqual({
        statusCode: 400,
        error: 'CURRENT_PASSWORD_WRONG',
        message: '当前密码不正确。',
        field: 'currentPassword',
      });
      expect((await wrong('?lang=en')).json.message).toBe('The current password is wrong.');
      expect(await passwordHashOf('user021')).toBe(before);
      expect((await api('GET', '/api/v1/me', { token })).status).toBe(200);
      const id = await idOf('user021');
      expect(
        await count(
          t,
          "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'auth.password_change_failed' AND target_id = ?",
          [id],
        ),
      ).toBe(2);
      // The same counter as sign-in: 10 failures in all, then even the right current password (or sign-in) is refused.
      for (let i = 2; i < 10; i++) {
        expect((await wrong()).status).toBe(400);
      }
      const eleventh = await api('POST', '/api/v1/me/password', {
        token,
        body: { currentPassword: 'demo1234', newPassword: 'A brand new passphrase' },
      });
      expect(eleventh.status).toBe(429);
      expect(Number(eleventh.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await login('user021', 'demo1234')).status).toBe(429);
      expect(await passwordHashOf('user021')).toBe(before);
    }, 60_000);

    it('refuses a missing current password, unknown fields and anonymous callers', async () => {
      const token = await t.token('user022');
      const before = await passwordHashOf('user022');
      const missing = await api('POST', '/api/v1/me/password', {
        token,
        body: { newPassword: 'A brand new passphrase' },
      });
      expect(missing.status).toBe(400);
      expect(missing.json.field).toBe('currentPassword');
      const extra = await api('POST', '/api/v1/me/password', {
        token,
        body: { currentPassword: 'demo1234', newPassword: 'A brand new passphrase', userId: 'x' },
      });
      expect(extra.status).toBe(400);
      expect(extra.json.error).toBe('UNKNOWN_FIELD');
      const anonymous = await api('POST', '/api/v1/me/password', {
        body: { currentPassword: 'demo1234', newPassword: 'A brand new passphrase' },
      });
      expect(anonymous.status).toBe(401);
      expect(await passwordHashOf('user022')).toBe(before);
    });

    it('offers /me/password from the header, in Chinese and English, with CSRF; keeps this browser signed in under a fresh session id', async () => {
      const browser = guard.pages(t);
      await browser.signIn('user023');
      const before = await passwordHashOf('user023');
      const homePage = await browser.get('/');
      expect(homePage.text).toContain('href="/me/password"');
      const form = await browser.get('/me/password');
      expect(form.status).toBe(200);
      expect(form.text).toContain('当前密码');
      expect(form.text).toContain('name="_csrf"');
      expect(form.text).not.toContain('别人为您设置');
      const en = await browser.get('/me/password?lang=en');
      expect(en.text).toContain('Current password');
      await browser.get('/me/password?lang=zh-CN');
      const phone = await t.token('user023');

      const noCsrf = await browser.post('/me/password', {
        currentPassword: 'demo1234',
        newPassword: 'Quiet river in spring',
        confirmPassword: 'Quiet river in spring',
      });
      expect(noCsrf.status).toBe(403);
      const mismatch = await browser.post('/me/password', {
        currentPassword: 'demo1234',
        newPassword: 'Quiet river in spring',
        confirmPassword: 'Quiet river in autumn',
        _csrf: csrfOf(form.text),
      });
      expect(mismatch.status).toBe(400);
      expect(mismatch.text).toContain('两次输入的新密码不一致');
      const weak = await browser.post('/me/password', {
        currentPassword: 'demo1234',
        newPassword: 'dangyuan123',
        confirmPassword: 'dangyuan123',
        _csrf: csrfOf(mismatch.text),
      });
      expect(weak.status).toBe(400);
      expect(weak.text).toContain('密码不可用');
      expect(await passwordHashOf('user023')).toBe(before);

      const sidBefore = browser.cookie(SESSION_COOKIE);
      const done = await browser.post('/me/password', {
        currentPassword: 'demo1234',
        newPassword: 'Quiet river in spring',
        confirmPassword: 'Quiet river in spring',
        _csrf: csrfOf(weak.text),
      });
      expect(done.status).toBe(200);
      expect(done.text).toContain('密码已修改');
      expect(browser.cookie(SESSION_COOKIE)).toBeTruthy();
      expect(browser.cookie(SESSION_COOKIE)).not.toBe(sidBefore);
      expect((await browser.get('/')).status).toBe(200);
      expect((await api('GET', '/api/v1/me', { token: phone })).status).toBe(401);
      const replay = await api('GET', '/api/v1/me', {
        headers: { cookie: `${SESSION_COOKIE}=${sidBefore}` },
      });
      expect(replay.status).toBe(401);
      expect(await openSessions(await idOf('user023'))).toBe(1);
      expect((await login('user023', 'Quiet river in spring')).status).toBe(200);
    });
  });

  describe('23. the password rules apply to a new password as at creation', () => {
    it('refuses short, common and context-word passwords; accepts 64+ and 128 Chinese characters, verified exactly, spaces kept', async () => {
      const token = await t.token('user024');
      let current = 'demo1234';
      const change = (newPassword: string) =>
        api('POST', '/api/v1/me/password', {
          token,
          body: { currentPassword: current, newPassword },
        });
      for (const bad of [
        'Ab1!xyz',
        '12345678',
        'password',
        'dangyuan123',
        'Dangyuan@2024',
        'user024!!',
        current,
      ]) {
        const res = await change(bad);
        expect(res.status).toBe(400);
        expect(res.json.error).toBe('PASSWORD_REJECTED');
        expect(res.json.field).toBe('newPassword');
      }

      const chinese = '我家门前有两棵树一棵是枣树另一棵也是枣树'.repeat(7).slice(0, 128);
      expect([...chinese]).toHaveLength(128);
      expect((await change(chinese)).status).toBe(204);
      current = chinese;
      expect((await login('user024', chinese)).status).toBe(200);
      expect((await login('user024', `${chinese.slice(0, 72)}草${chinese.slice(73)}`)).status).toBe(
        401,
      );

      const long = `${'长城'.repeat(20)}${'x'.repeat(40)}`;
      expect((await change(long)).status).toBe(204);
      current = long;
      expect((await login('user024', `${long.slice(0, 72)}y${long.slice(73)}`)).status).toBe(401);

      const spaced = '  a quiet river  ';
      expect((await change(spaced)).status).toBe(204);
      expect((await login('user024', spaced.trim())).status).toBe(401);
      expect((await login('user024', spaced)).status).toBe(200);
    });

    it('refuses the same context words when an officer creates a person', async () => {
      const res = await createByOfficer(admin, 'pw_context', 'dangyuan123');
      expect(res.status).toBe(400);
      expect(res.json.message).toContain('dangyuan');
      expect(await count(t, "SELECT COUNT(*) AS n FROM users WHERE username = 'pw_context'")).toBe(
        0,
      );
    });
  });

  describe('24. seeded and default accounts', () => {
    it('never loads the demo city in production, whatever DEMO says', () => {
      const production = new AppConfigService({
        NODE_ENV: 'production',
        SESSION_SECRET: 'p'.repeat(40),
        DEMO: '1',
      });
      expect(production.demo).toBe(false);
      expect(new AppConfigService({ NODE_ENV: 'development' }).demo).toBe(true);
    });

    it('refuses admin/admin, admin/123456 and admin/password, and a CLI-created administrator is not flagged', async () => {
      for (const password of ['admin', '123456', 'password', 'admin123']) {
        expect((await login('admin', password)).status).toBe(401);
      }
      const users = t.app.get(UsersService);
      await expect(
        users.create(null, {
          username: 'pw_cli',
          displayName: 'CLI',
          password: 'admin123',
          orgId: home.id,
        }),
      ).rejects.toMatchObject({ code: 'PASSWORD_REJECTED' });
      const created = await users.create(null, {
        username: 'pw_cli',
        displayName: 'CLI',
        password: 'Operator-chosen-2026',
        orgId: home.id,
      });
      const row = await sql<{ must_change_password: unknown }>(
        t,
        'SELECT must_change_password FROM users WHERE id = ?',
        [created.id],
      );
      expect(isTrue(row[0]?.must_change_password)).toBe(false);
    });
  });

  describe('25. initial passwords chosen by someone else', () => {
    it('gives 100 imported people random 12-character passwords, all different, and flags every imported person', async () => {
      const rows = Array.from(
        { length: 100 },
        (_, i) => `pw_imp${String(i).padStart(3, '0')},导入${i},阳光社区第一党支部,`,
      );
      const csv = `用户名,姓名,组织,初始密码\n${rows.join('\n')}\npw_imp_typed,导入自带,阳光社区第一党支部,Typed-in-the-file-2026\n`;
      const res = await api('POST', '/api/v1/users/import', {
        token: secretary,
        raw: csv,
        headers: { 'content-type': 'text/csv' },
      });
      expect(res.status).toBe(201);
      expect(res.json.created).toBe(101);
      const generated = (res.json.rows as Array<{ username: string; temporaryPassword?: string }>)
        .filter((r) => r.username !== 'pw_imp_typed')
        .map((r) => r.temporaryPassword as string);
      expect(generated).toHaveLength(100);
      expect(new Set(generated).size).toBe(100);
      for (const p of generated) {
        expect(p).toMatch(/^[A-Za-z0-9_-]{12}$/);
      }
      // 100 x 12 characters from a CSPRNG use nearly the whole 64-character alphabet; a counter or a clock would not.
      expect(new Set(generated.join('')).size).toBeGreaterThan(55);
      expect(new Set(generated.map((p) => p.slice(0, 4))).size).toBeGreaterThan(95);
      expect(
        res.json.rows.find((r: { username: string }) => r.username === 'pw_imp_typed')
          .temporaryPassword,
      ).toBeUndefined();
      const flagged = await sql<{ must_change_password: unknown }>(
        t,
        "SELECT must_change_password FROM users WHERE username LIKE 'pw_imp%'",
      );
      expect(flagged).toHaveLength(101);
      expect(flagged.every((r) => isTrue(r.must_change_password))).toBe(true);
      expect(
        JSON.stringify(await sql(t, "SELECT details FROM audit_log WHERE action = 'user.import'")),
      ).not.toContain(generated[0]);

      // The temporary password works once: the page sends the person to change it, and then it is dead.
      const first = generated[0];
      const api1 = await login('pw_imp000', first);
      expect(api1.status).toBe(200);
      expect(api1.json.mustChangePassword).toBe(true);
      const browser = guard.pages(t);
      const signIn = await browser.signIn('pw_imp000', first);
      expect(signIn.status).toBe(303);
      expect(signIn.headers.get('location')).toBe('/me/password');
      const form = await browser.get('/me/password');
      const done = await browser.post('/me/password', {
        currentPassword: first,
        newPassword: 'My very own passphrase',
        confirmPassword: 'My very own passphrase',
        _csrf: csrfOf(form.text),
      });
      expect(done.status).toBe(200);
      expect((await login('pw_imp000', first)).status).toBe(401);
      expect((await login('pw_imp000', 'My very own passphrase')).json.mustChangePassword).toBe(
        false,
      );
    }, 120_000);

    it('holds an officer-created person on /me/password until they change it; the API says mustChangePassword; demo accounts are not flagged', async () => {
      expect((await createByOfficer(secretary, 'pw_newbie', 'Given-by-the-secretary')).status).toBe(
        201,
      );
      const apiLogin = await login('pw_newbie', 'Given-by-the-secretary');
      expect(apiLogin.status).toBe(200);
      expect(apiLogin.json.mustChangePassword).toBe(true);
      // The API is not held back; the client is told.
      expect((await api('GET', '/api/v1/me', { token: apiLogin.json.accessToken })).status).toBe(
        200,
      );
      for (const demo of ['cadre', 'admin', 'secretary', 'trainer', 'user030']) {
        expect((await login(demo, 'demo1234')).json.mustChangePassword).toBe(false);
      }
      const helperMade = await makePerson(t, 'pw_helper', home);
      expect(
        isTrue(
          (
            await sql<{ must_change_password: unknown }>(
              t,
              'SELECT must_change_password FROM users WHERE id = ?',
              [helperMade.id],
            )
          )[0]?.must_change_password,
        ),
      ).toBe(false);

      const browser = guard.pages(t);
      const signIn = await browser.signIn('pw_newbie', 'Given-by-the-secretary');
      expect(signIn.headers.get('location')).toBe('/me/password');
      for (const path of ['/', '/courses', '/me/transcript', '/study-days']) {
        const res = await browser.get(path);
        expect(res.status).toBe(303);
        expect(res.headers.get('location')).toBe('/me/password');
      }
      const form = await browser.get('/me/password');
      expect(form.status).toBe(200);
      expect(form.text).toContain('别人为您设置的初始密码');
      const done = await browser.post('/me/password', {
        currentPassword: 'Given-by-the-secretary',
        newPassword: 'Chosen by me at last',
        confirmPassword: 'Chosen by me at last',
        _csrf: csrfOf(form.text),
      });
      expect(done.status).toBe(200);
      expect((await browser.get('/')).status).toBe(200);
      expect((await browser.get('/courses')).status).toBe(200);
      expect((await api('GET', '/api/v1/me', { token: apiLogin.json.accessToken })).status).toBe(
        401,
      );
      const row = await sql<{ must_change_password: unknown }>(
        t,
        "SELECT must_change_password FROM users WHERE username = 'pw_newbie'",
      );
      expect(isTrue(row[0]?.must_change_password)).toBe(false);
    });
  });

  describe('26. reset links handed over by an officer', () => {
    it('answers a 72-hour link whose secret is stored only as a hash and never written to the audit log', async () => {
      const person = await makePerson(t, 'pw_reset1', home);
      const started = Date.now();
      const res = await issue(secretary, person.id);
      expect(res.status).toBe(201);
      expect(Object.keys(res.json).sort()).toEqual(['expiresAt', 'resetUrl']);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const secret = tokenOf(res.json.resetUrl);
      expect(new URL(res.json.resetUrl).pathname).toBe(`/reset-password/${secret}`);
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const expires = new Date(res.json.expiresAt).getTime();
      expect(expires - started).toBeGreaterThanOrEqual(72 * 3600_000 - 1000);
      expect(expires - Date.now()).toBeLessThanOrEqual(72 * 3600_000 + 1000);
      const rows = await sql<{ token_hash: string; created_by: string }>(
        t,
        'SELECT * FROM password_resets WHERE user_id = ?',
        [person.id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]?.token_hash).toBe(sha256(secret));
      expect(JSON.stringify(rows)).not.toContain(secret);
      const issued = await sql(
        t,
        "SELECT * FROM audit_log WHERE action = 'auth.password_reset_issued' AND target_id = ?",
        [person.id],
      );
      expect(issued).toHaveLength(1);
      expect(JSON.stringify(await sql(t, 'SELECT * FROM audit_log'))).not.toContain(secret);
    });

    it('kills the previous link when a new one is made; a link works once and ends every session of the person', async () => {
      const person = await makePerson(t, 'pw_reset2', home);
      const first = tokenOf((await issue(admin, person.id)).json.resetUrl);
      const second = tokenOf((await issue(secretary, person.id)).json.resetUrl);
      expect(first).not.toBe(second);
      const browser = guard.pages(t);
      expect((await api('GET', '/api/v1/me', { token: person.token })).status).toBe(200);

      const dead = await guard.pages(t).get(`/reset-password/${first}`);
      expect(dead.status).toBe(410);
      expect(dead.text).toContain('这个密码重置链接无效、已经用过或已过期');
      const form = await browser.get(`/reset-password/${second}`);
      expect(form.status).toBe(200);
      expect(form.text).toContain('pw_reset2');
      expect(form.headers.get('cache-control')).toBe('no-store');
      expect(form.headers.get('referrer-policy')).toBe('no-referrer');
      expect((await resetWithPage(first, 'Fresh start in spring')).status).toBe(410);

      const mismatch = await browser.post(`/reset-password/${second}`, {
        newPassword: 'Fresh start in spring',
        confirmPassword: 'Fresh start in autumn',
        _csrf: csrfOf(form.text),
      });
      expect(mismatch.status).toBe(400);
      const weak = await browser.post(`/reset-password/${second}`, {
        newPassword: '12345678',
        confirmPassword: '12345678',
        _csrf: csrfOf(mismatch.text),
      });
      expect(weak.status).toBe(400);
      expect(weak.text).toContain('常见密码');
      const done = await browser.post(`/reset-password/${second}`, {
        newPassword: 'Fresh start in spring',
        confirmPassword: 'Fresh start in spring',
        _csrf: csrfOf(weak.text),
      });
      expect(done.status).toBe(200);
      expect(done.text).toContain('新密码已设置');
      expect((await api('GET', '/api/v1/me', { token: person.token })).status).toBe(401);
      expect(await openSessions(person.id)).toBe(0);
      const signedIn = await login('pw_reset2', 'Fresh start in spring');
      expect(signedIn.status).toBe(200);
      expect(signedIn.json.mustChangePassword).toBe(false);

      // Used once: the page, the form and the JSON twin all refuse it now.
      expect((await guard.pages(t).get(`/reset-password/${second}`)).status).toBe(410);
      expect((await resetWithPage(second, 'Another try at this')).status).toBe(410);
      const twin = await api('POST', '/api/v1/auth/password-reset', {
        body: { token: second, newPassword: 'Another try at this' },
      });
      expect(twin.status).toBe(410);
      expect(twin.json.error).toBe('RESET_LINK_INVALID');
      expect((await login('pw_reset2', 'Fresh start in spring')).status).toBe(200);
      const rows = await sql<{ used_at: string | null; revoked_at: string | null }>(
        t,
        'SELECT used_at, revoked_at FROM password_resets WHERE user_id = ? ORDER BY created_at',
        [person.id],
      );
      expect(rows.map((r) => [!!r.used_at, !!r.revoked_at])).toEqual([
        [false, true],
        [true, false],
      ]);
      expect(
        await count(
          t,
          "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'auth.password_reset_used' AND target_id = ?",
          [person.id],
        ),
      ).toBe(1);
    });

    it('lets exactly one of two simultaneous submissions of a link through', async () => {
      const person = await makePerson(t, 'pw_race', home);
      const secret = tokenOf((await issue(admin, person.id)).json.resetUrl);
      const answers = await Promise.all(
        ['Racing along the river', 'Racing along the road'].map((newPassword) =>
          api('POST', '/api/v1/auth/password-reset', { body: { token: secret, newPassword } }),
        ),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([204, 410]);
      const winner =
        answers[0]?.status === 204 ? 'Racing along the river' : 'Racing along the road';
      expect((await login('pw_race', winner)).status).toBe(200);
    });

    it('takes the person from the link only: no user id is accepted, and a link for A never changes B', async () => {
      const a = await makePerson(t, 'pw_link_a', home);
      const b = await makePerson(t, 'pw_link_b', home);
      const secretA = tokenOf((await issue(admin, a.id)).json.resetUrl);
      await issue(admin, b.id);
      const bBefore = await passwordHashOf('pw_link_b');
      for (const field of ['userId', 'uid', 'username']) {
        const res = await api('POST', '/api/v1/auth/password-reset', {
          body: {
            token: secretA,
            newPassword: 'Only for person A',
            [field]: field === 'userId' ? b.id : 'pw_link_b',
          },
        });
        expect(res.status).toBe(400);
        expect(res.json.error).toBe('UNKNOWN_FIELD');
      }
      // A user id in the address is not read: the page is A's.
      const form = await guard.pages(t).get(`/reset-password/${secretA}?uid=${b.id}`);
      expect(form.status).toBe(200);
      expect(form.text).toContain('pw_link_a');
      expect(form.text).not.toContain('pw_link_b');
      const ok = await api('POST', '/api/v1/auth/password-reset', {
        body: { token: secretA, newPassword: 'Only for person A' },
      });
      expect(ok.status).toBe(204);
      expect(await passwordHashOf('pw_link_b')).toBe(bBefore);
      expect((await login('pw_link_a', 'Only for person A')).status).toBe(200);
      expect((await login('pw_link_b', 'Only for person A')).status).toBe(401);
    });

    it('answers unknown, malformed, used, replaced and expired links with the same page and the same JSON', async () => {
      const person = await makePerson(t, 'pw_expired', home);
      const replaced = tokenOf((await issue(admin, person.id)).json.resetUrl);
      const expired = tokenOf((await issue(admin, person.id)).json.resetUrl);
      await sql(t, 'UPDATE password_resets SET expires_at = ? WHERE token_hash = ?', [
        new Date(Date.now() - 1000).toISOString(),
        sha256(expired),
      ]);
      const used = await makePerson(t, 'pw_used', home);
      const usedSecret = tokenOf((await issue(admin, used.id)).json.resetUrl);
      expect(
        (
          await api('POST', '/api/v1/auth/password-reset', {
            body: { token: usedSecret, newPassword: 'Used up already' },
          })
        ).status,
      ).toBe(204);
      const unknown = randomBytes(32).toString('base64url');
      const cases = [unknown, 'not-a-real-link', replaced, expired, usedSecret];
      const browser = guard.pages(t);
      await browser.get('/login');
      const pages = [];
      const twins = [];
      for (const secret of cases) {
        const page = await browser.get(`/reset-password/${secret}`);
        // The language switch links back to the same address; apart from it the pages must be identical.
        pages.push({
          ...page,
          text: page.text.split(`/reset-password/${secret}`).join('/reset-password/S'),
        });
        twins.push(
          await api('POST', '/api/v1/auth/password-reset', {
            body: { token: secret, newPassword: 'Whatever it takes' },
          }),
        );
      }
      for (const res of pages) {
        expect(res.status).toBe(410);
        expect(res.text).toBe(pages[0]?.text);
        expect(res.headers.getSetCookie()).toEqual([]);
      }
      for (const res of twins) {
        expect(res.status).toBe(410);
        expect(res.text).toBe(twins[0]?.text);
      }
      expect(twins[0]?.json.message).toContain('无效');
      const english = await browser.get(`/reset-password/${unknown}?lang=en`);
      expect(english.text).toContain('This password reset link is not valid');
      expect((await login('pw_expired', 'Whatever it takes')).status).toBe(401);
    });

    it('answers out-of-scope and unknown people with the same 404 as other people routes; checks roles; never one’s own', async () => {
      const outsider = await makePerson(t, 'pw_sibling', sibling);
      const trainer = await makePerson(t, 'pw_trainer', home, ['trainer']);
      const before = await count(t, 'SELECT COUNT(*) AS n FROM password_resets');
      const out = await issue(secretary, outsider.id);
      const unknown = await issue(secretary, '00000000-0000-0000-0000-000000000000');
      const garbage = await issue(secretary, 'not-an-id');
      const elsewhere = await api('GET', '/api/v1/users/00000000-0000-0000-0000-000000000000', {
        token: secretary,
      });
      for (const res of [out, unknown, garbage]) {
        expect(res.status).toBe(404);
        expect(res.text).toBe(elsewhere.text);
      }
      const cadre = await t.token('cadre');
      expect((await issue(cadre, outsider.id)).status).toBe(403);
      const notGrantable = await issue(secretary, trainer.id);
      expect(notGrantable.status).toBe(403);
      expect(notGrantable.json.error).toBe('RESET_NOT_ALLOWED');
      const self = await issue(admin, (await api('GET', '/api/v1/me', { token: admin })).json.id);
      expect(self.status).toBe(409);
      expect(await count(t, 'SELECT COUNT(*) AS n FROM password_resets')).toBe(before);
      expect((await issue(admin, trainer.id)).status).toBe(201);
      expect((await issue(admin, outsider.id)).status).toBe(201);
    });

    it('has a button on the admin people page that shows the link once; the link works', async () => {
      const person = await makePerson(t, 'pw_button', home, [], '按钮测试');
      const browser = guard.pages(t);
      await browser.signIn('secretary');
      const list = await browser.get('/admin?q=pw_button');
      expect(list.status).toBe(200);
      const action = `/admin/people/${person.id}/password-reset`;
      expect(list.text).toContain(`action="${action}"`);
      expect((await browser.post(action, {})).status).toBe(403);
      const shown = await browser.post(action, { _csrf: csrfOf(list.text) });
      expect(shown.status).toBe(200);
      expect(shown.headers.get('cache-control')).toBe('no-store');
      expect(shown.text).toContain('按钮测试');
      expect(shown.text).toContain('此链接只显示这一次');
      const link =
        /value="(https?:\/\/[^"]+\/reset-password\/[A-Za-z0-9_-]{43})"/.exec(shown.text)?.[1] ?? '';
      const secret = tokenOf(link);
      expect(
        await count(t, 'SELECT COUNT(*) AS n FROM password_resets WHERE token_hash = ?', [
          sha256(secret),
        ]),
      ).toBe(1);
      const outsider = await makePerson(t, 'pw_button_out', sibling);
      expect(
        (
          await browser.post(`/admin/people/${outsider.id}/password-reset`, {
            _csrf: csrfOf(list.text),
          })
        ).status,
      ).toBe(404);
      expect((await resetWithPage(secret, 'Handed over in person')).status).toBe(200);
      expect((await login('pw_button', 'Handed over in person')).status).toBe(200);
    });
  });

  describe('17. enumeration through sign-in', () => {
    let disabledPassword: string;

    beforeAll(async () => {
      disabledPassword = 'Right-but-disabled-2026';
      const created = await createByOfficer(admin, 'pw_disabled', disabledPassword);
      await api('PATCH', `/api/v1/users/${created.json.id}`, {
        token: admin,
        body: { active: false },
      });
    });

    it('answers an unknown user, a wrong password and a disabled account with identical API status, body and cookies', async () => {
      const answers = [
        await login('pw_nobody', 'Some-password-2026'),
        await login('user040', 'Some-password-2026'),
        await login('pw_disabled', disabledPassword),
        await login('pw_disabled', 'Some-password-2026'),
      ];
      for (const res of answers) {
        expect(res.status).toBe(401);
        expect(res.text).toBe(answers[0]?.text);
        expect(res.headers.getSetCookie()).toEqual([]);
      }
    });

    it('answers them identically on the sign-in page too (apart from the echoed username and the form token)', async () => {
      const browser = guard.pages(t);
      const tries: Array<[string, string]> = [
        ['pw_nobody2', 'Some-password-2026'],
        ['user041', 'Some-password-2026'],
        ['pw_disabled', disabledPassword],
      ];
      const bodies: string[] = [];
      const cookies: string[][] = [];
      for (const [username, password] of tries) {
        const form = await browser.get('/login');
        const csrf = csrfOf(form.text);
        const res = await browser.post('/login', { username, password, _csrf: csrf });
        expect(res.status).toBe(401);
        bodies.push(
          res.text
            .replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value="CSRF"')
            .split(`value="${username}"`)
            .join('value="U"'),
        );
        cookies.push(res.headers.getSetCookie().map((c) => c.split('=')[0] ?? ''));
      }
      expect(bodies[1]).toBe(bodies[0]);
      expect(bodies[2]).toBe(bodies[0]);
      expect(cookies[1]).toEqual(cookies[0]);
      expect(cookies[2]).toEqual(cookies[0]);
      expect(cookies[0]).not.toContain(SESSION_COOKIE);
    });

    it('locks an unknown username exactly like a known one after 10 failures', async () => {
      const lock = async (username: string) => {
        for (let i = 0; i < 10; i++) {
          await login(username, `nope-${i}`);
        }
        return login(username, 'demo1234');
      };
      const [ghost, real] = await Promise.all([lock('pw_ghost'), lock('user042')]);
      expect(ghost.status).toBe(429);
      expect(real.status).toBe(429);
      expect(ghost.json.error).toBe(real.json.error);
      expect(
        Math.abs(
          Number(ghost.headers.get('retry-after')) - Number(real.headers.get('retry-after')),
        ),
      ).toBeLessThanOrEqual(2);
    }, 60_000);

    it('spends one scrypt on an unknown username as on a known one: same count, median times within 20 ms', async () => {
      // From another loopback address, so these 40 failures do not use up 127.0.0.1's budget for the tests below.
      const attempt = (username: string, from = '127.0.0.3') =>
        postFrom(t, from, '/api/v1/auth/login', { username, password: 'Some-password-2026' });
      const scrypt = jest.spyOn(crypto, 'scrypt');
      try {
        for (const username of ['pw_nobody_spy', 'user043', 'pw_disabled']) {
          scrypt.mockClear();
          expect((await attempt(username)).status).toBe(401);
          expect(scrypt).toHaveBeenCalledTimes(1);
        }
      } finally {
        scrypt.mockRestore();
      }
      // Interleaved pairs, medians of 20 each. Other work on a shared 2-core machine can skew one round, so up to three
      // rounds are measured (each from its own address); a real leak (no scrypt: ~100 ms) shows in every round.
      const diffs: number[] = [];
      for (let round = 0; round < 3 && !diffs.some((d) => d < 20); round++) {
        const unknown: number[] = [];
        const known: number[] = [];
        for (let i = 0; i < 20; i++) {
          const a = await attempt(`pw_timing_ghost_${round}_${i}`, `127.0.0.${4 + round}`);
          const b = await attempt(`user${String(44 + i).padStart(3, '0')}`, `127.0.0.${4 + round}`);
          expect([a.status, b.status]).toEqual([401, 401]);
          expect(a.text).toBe(b.text);
          unknown.push(a.ms);
          known.push(b.ms);
        }
        diffs.push(Math.round(Math.abs(median(unknown) - median(known))));
      }
      expect(
        diffs.some((d) => d < 20) ? 'within 20 ms' : `differences ${diffs.join(', ')} ms`,
      ).toBe('within 20 ms');
    }, 120_000);
  });

  describe('16. spraying from one address behind spoofed X-Forwarded-For', () => {
    it('ignores X-Forwarded-For without TRUST_PROXY: 200 usernames from 200 spoofed addresses trip the one real address', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) {
        const res = await api('POST', '/api/v1/auth/login', {
          body: { username: `spray_${i}`, password: 'Summer2026!' },
          headers: { 'x-forwarded-for': `10.0.${i >> 8}.${i & 255}` },
        });
        statuses.push(res.status);
      }
      const first429 = statuses.indexOf(429);
      expect(first429).toBeGreaterThan(-1);
      expect(first429).toBeLessThanOrEqual(100);
      expect(statuses.slice(first429).every((s) => s === 429)).toBe(true);
      // 50 more, one account with the right password and 50 different spoofed addresses: all refused.
      for (let i = 0; i < 50; i++) {
        const res = await api('POST', '/api/v1/auth/login', {
          body: { username: 'user070', password: 'demo1234' },
          headers: { 'x-forwarded-for': `198.51.100.${i + 1}` },
        });
        expect(res.status).toBe(429);
      }
      const ips = await sql<{ ip: string }>(
        t,
        "SELECT DISTINCT ip FROM audit_log WHERE action IN ('auth.failed', 'auth.throttled') AND (target_id LIKE 'spray_%' OR target_id = 'user070')",
      );
      expect(ips.map((r) => r.ip.replace(/^::ffff:/, ''))).toEqual(['127.0.0.1']);
      // The block is on the real address: another client is not refused.
      const elsewhere = await postFrom(t, '127.0.0.2', '/api/v1/auth/login', {
        username: 'user070',
        password: 'demo1234',
      });
      expect(elsewhere.status).toBe(200);
    }, 180_000);
  });

  describe('16. with TRUST_PROXY=1 the forwarded address is the client', () => {
    let proxied: TestApp;

    beforeAll(async () => {
      proxied = await startTestApp({ env: { TRUST_PROXY: '1' } });
    }, BOOT_TIMEOUT);

    afterAll(async () => {
      await proxied?.close();
    });

    it('records and throttles the address the trusted proxy forwards', async () => {
      const res = await proxied.api('POST', '/api/v1/auth/login', {
        body: { username: 'pw_proxy_probe', password: 'Some-password-2026' },
        headers: { 'x-forwarded-for': '203.0.113.7' },
      });
      expect(res.status).toBe(401);
      const rows = await sql<{ ip: string }>(
        proxied,
        "SELECT ip FROM audit_log WHERE action = 'auth.failed' AND target_id = 'pw_proxy_probe'",
      );
      expect(rows.map((r) => r.ip)).toEqual(['203.0.113.7']);
    });
  });
});
