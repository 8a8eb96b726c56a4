import { PageClient, startTestApp, TestApp } from './helpers/test-app';

describe('Sign-in, sessions and tokens', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('reports the database as healthy', async () => {
    const res = await t.api('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ok', db: 'ok' });
  });

  it('signs a demo account in through the API and answers /me with roles and branch', async () => {
    const token = await t.token('cadre');
    const me = await t.api('GET', '/api/v1/me', { token });
    expect(me.status).toBe(200);
    expect(me.json.username).toBe('cadre');
    expect(me.json.branch.name).toBe('阳光社区第一党支部');
    expect(me.json.roles).toEqual([expect.objectContaining({ role: 'learner' })]);
    expect(me.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 401 with a message in the request language for a wrong password', async () => {
    const zh = await t.api('POST', '/api/v1/auth/login', {
      body: { username: 'trainer', password: 'wrong-password' },
    });
    expect(zh.status).toBe(401);
    expect(zh.json).toEqual({
      statusCode: 401,
      error: 'INVALID_CREDENTIALS',
      message: '用户名或密码不正确。',
    });
    const en = await t.api('POST', '/api/v1/auth/login?lang=en', {
      body: { username: 'trainer', password: 'wrong-password' },
    });
    expect(en.json.message).toBe('The username or password is wrong.');
  });

  it('refuses the 11th failed attempt in a minute with 429, even with the right password', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      statuses.push(
        (
          await t.api('POST', '/api/v1/auth/login', {
            body: { username: 'user005', password: `nope-${i}` },
          })
        ).status,
      );
    }
    expect(statuses).toEqual(Array(10).fill(401));
    const eleventh = await t.api('POST', '/api/v1/auth/login', {
      body: { username: 'user005', password: 'demo1234' },
    });
    expect(eleventh.status).toBe(429);
    expect(Number(eleventh.headers.get('retry-after'))).toBeGreaterThan(0);
  }, 30000);

  it('never refuses many different people signing in from one address', async () => {
    for (let i = 10; i < 30; i++) {
      const res = await t.api('POST', '/api/v1/auth/login', {
        body: { username: `user0${i}`, password: 'demo1234' },
      });
      expect(res.status).toBe(200);
    }
  }, 30000);

  it('answers 400 naming an unknown JSON field', async () => {
    const res = await t.api('POST', '/api/v1/auth/login', {
      body: { username: 'cadre', password: 'demo1234', role: 'admin' },
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('UNKNOWN_FIELD');
    expect(res.json.message).toContain('role');
  });

  it('answers 400 naming a field of the wrong type, not 500', async () => {
    const res = await t.api('POST', '/api/v1/auth/login', {
      body: { username: ['cadre'], password: 'demo1234' },
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toContain('username');
    const bad = await t.api('POST', '/api/v1/auth/login', {
      raw: '{"username": "x", ',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    const proto = await t.api('POST', '/api/v1/auth/login', {
      raw: '{"username":"x","password":"y","__proto__":{"admin":true}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(proto.status).toBe(400);
  });

  it('revokes every token and session of the person at logout', async () => {
    const token = await t.token('trainer');
    const other = await t.token('trainer');
    const browser = new PageClient(t.url);
    await browser.signIn('trainer');
    expect((await t.api('POST', '/api/v1/auth/logout', { token })).status).toBe(204);
    expect((await t.api('GET', '/api/v1/me', { token })).status).toBe(401);
    expect((await t.api('GET', '/api/v1/me', { token: other })).status).toBe(401);
    expect((await browser.get('/')).status).toBe(303);
  });

  it('stores only a hash of tokens and passwords', async () => {
    const token = await t.token('secretary');
    const rows: Array<{ token_hash: string }> = await t.dataSource.query(
      'SELECT token_hash FROM auth_sessions',
    );
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    const users: Array<{ password_hash: string }> = await t.dataSource.query(
      "SELECT password_hash FROM users WHERE username = 'secretary'",
    );
    expect(users[0]?.password_hash).toMatch(/^scrypt\$/);
  });

  describe('the page session', () => {
    it('signs in with the form, sets an HttpOnly SameSite cookie whose id changes at each login, and shows the dashboard', async () => {
      const browser = new PageClient(t.url);
      const first = await browser.signIn('cadre');
      expect(first.status).toBe(303);
      const setCookie = first.headers.getSetCookie().find((c) => c.startsWith('sid='));
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Lax/i);
      const sid1 = browser.cookie('sid');
      await browser.signIn('cadre');
      expect(browser.cookie('sid')).not.toBe(sid1);
      const home = await browser.get('/');
      expect(home.status).toBe(200);
      expect(home.text).toContain('李小红');
      expect(home.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    });

    it('refuses a form post without the CSRF token', async () => {
      const browser = new PageClient(t.url);
      await browser.get('/login');
      const res = await browser.post('/login', { username: 'cadre', password: 'demo1234' });
      expect(res.status).toBe(403);
      expect(res.text).toContain('页面已过期');
    });

    it('shows the sign-in form again with a message for a wrong password', async () => {
      const browser = new PageClient(t.url);
      const res = await browser.signIn('cadre', 'not-the-password');
      expect(res.status).toBe(401);
      expect(res.text).toContain('用户名或密码不正确');
    });

    it('sends an anonymous visitor of a page to the sign-in page', async () => {
      const res = await new PageClient(t.url).get('/admin');
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login?next=%2Fadmin');
    });

    it('shows a learner a friendly 403 page on the admin page, in English when asked', async () => {
      const browser = new PageClient(t.url);
      await browser.signIn('cadre');
      const res = await browser.get('/admin?lang=en');
      expect(res.status).toBe(403);
      expect(res.text).toContain('Not allowed');
      expect(res.text).toContain('<html lang="en">');
    });
  });
});
