import { PageClient, startTestApp, TestApp } from './helpers/test-app';

interface OrgNode {
  id: string;
  kind: string;
  name: string;
  children: OrgNode[];
}

function findOrg(nodes: OrgNode[], name: string): OrgNode {
  for (const n of nodes) {
    if (n.name === name) {
      return n;
    }
    const found = n.children.length ? findOrgOrNull(n.children, name) : null;
    if (found) {
      return found;
    }
  }
  throw new Error(`no org ${name}`);
}
function findOrgOrNull(nodes: OrgNode[], name: string): OrgNode | null {
  try {
    return findOrg(nodes, name);
  } catch {
    return null;
  }
}

describe('Organisation tree, people and roles', () => {
  let t: TestApp;
  let tree: OrgNode[];
  let admin: string;
  let secretary: string;
  const homeBranch = '阳光社区第一党支部';
  const siblingBranch = '阳光社区第二党支部';

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.token('admin');
    secretary = await t.token('secretary');
    tree = (await t.api('GET', '/api/v1/orgs', { token: admin })).json.items;
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves the demo city as a tree of 2 districts, 4 streets, 8 communities and 12 branches', async () => {
    const count = (kind: string, nodes: OrgNode[] = tree): number =>
      nodes.reduce((s, n) => s + (n.kind === kind ? 1 : 0) + count(kind, n.children), 0);
    expect([
      count('city'),
      count('district'),
      count('street'),
      count('community'),
      count('branch'),
    ]).toEqual([1, 2, 4, 8, 12]);
    const people: Array<{ n: number }> = await t.dataSource.query(
      'SELECT COUNT(*) AS n FROM users',
    );
    expect(Number(people[0]?.n)).toBeGreaterThanOrEqual(76);
  });

  it('lets a branch secretary create a person in their branch, and stores the row', async () => {
    const res = await t.api('POST', '/api/v1/users', {
      token: secretary,
      body: {
        username: 'newmember',
        displayName: '新党员',
        password: 'a-long-passphrase',
        orgId: findOrg(tree, homeBranch).id,
        postType: 'other',
        postGrade: 2,
      },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      username: 'newmember',
      displayName: '新党员',
      roles: [{ role: 'learner' }],
    });
    expect(res.json.passwordHash).toBeUndefined();
    const rows: Array<{ org_id: string }> = await t.dataSource.query(
      "SELECT org_id FROM users WHERE username = 'newmember'",
    );
    expect(rows[0]?.org_id).toBe(findOrg(tree, homeBranch).id);
  });

  it('refuses a secretary creating a person in a sibling branch with 403, storing nothing', async () => {
    const res = await t.api('POST', '/api/v1/users', {
      token: secretary,
      body: {
        username: 'intruder',
        displayName: '越权',
        password: 'a-long-passphrase',
        orgId: findOrg(tree, siblingBranch).id,
      },
    });
    expect(res.status).toBe(403);
    expect(
      await t.dataSource.query("SELECT id FROM users WHERE username = 'intruder'"),
    ).toHaveLength(0);
  });

  it('refuses a secretary granting the admin role', async () => {
    const res = await t.api('POST', '/api/v1/users', {
      token: secretary,
      body: {
        username: 'climber',
        displayName: '提权',
        password: 'a-long-passphrase',
        orgId: findOrg(tree, homeBranch).id,
        roles: ['admin'],
      },
    });
    expect(res.status).toBe(403);
  });

  it('checks the post grade against the band of content/policy/post-grades.yml', async () => {
    const res = await t.api('POST', '/api/v1/users', {
      token: admin,
      body: {
        username: 'gradecheck',
        displayName: '等级',
        password: 'a-long-passphrase',
        orgId: findOrg(tree, homeBranch).id,
        postType: 'head',
        postGrade: 3,
      },
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toContain('7');
  });

  it('refuses common passwords and duplicate usernames with clear messages', async () => {
    const weak = await t.api('POST', '/api/v1/users', {
      token: admin,
      body: {
        username: 'weakpw',
        displayName: '弱',
        password: '12345678',
        orgId: findOrg(tree, homeBranch).id,
      },
    });
    expect(weak.status).toBe(400);
    expect(weak.json.message).toContain('常见密码');
    const dup = await t.api('POST', '/api/v1/users', {
      token: admin,
      body: {
        username: 'cadre',
        displayName: '重名',
        password: 'a-long-passphrase',
        orgId: findOrg(tree, homeBranch).id,
      },
    });
    expect(dup.status).toBe(409);
  });

  it('lists only people in the secretary’s subtree', async () => {
    const res = await t.api('GET', '/api/v1/users?limit=200', { token: secretary });
    expect(res.status).toBe(200);
    const orgs = new Set(res.json.items.map((u: { org: { name: string } }) => u.org.name));
    expect([...orgs]).toEqual([homeBranch]);
    const learner = await t.token('cadre');
    expect((await t.api('GET', '/api/v1/users', { token: learner })).status).toBe(403);
  });

  it('answers 404 for a person outside the caller’s scope, the same as an unknown id', async () => {
    const outsider: Array<{ id: string }> = await t.dataSource.query(
      'SELECT u.id FROM users u JOIN org_nodes o ON o.id = u.org_id WHERE o.name = $1'.replace(
        '$1',
        t.db === 'postgres' ? '$1' : '?',
      ),
      [siblingBranch],
    );
    const a = await t.api('GET', `/api/v1/users/${outsider[0]?.id}`, { token: secretary });
    const b = await t.api('GET', '/api/v1/users/00000000-0000-0000-0000-000000000000', {
      token: secretary,
    });
    expect(a.status).toBe(404);
    expect(a.text).toBe(b.text);
  });

  it('imports people from CSV with a result per row; a bad row rejects nothing else', async () => {
    const csv =
      '\uFEFF用户名,姓名,组织,岗位类型,岗位等级,党员\nimp1,导入一,阳光社区第一党支部,其他,3,是\nimp2,导入二,阳光社区第二党支部,其他,3,是\nimp3,,阳光社区第一党支部,其他,3,否\nimp4,导入四,阳光社区第一党支部,正职,2,是\nimp5,导入五,阳光社区第一党支部,副职,5,否\n';
    const res = await t.api('POST', '/api/v1/users/import', {
      token: secretary,
      raw: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(res.status).toBe(201);
    expect(res.json.created).toBe(2);
    expect(res.json.rows.map((r: { status: string }) => r.status)).toEqual([
      'created',
      'error',
      'error',
      'error',
      'created',
    ]);
    expect(res.json.rows[0].temporaryPassword).toHaveLength(12);
    expect(res.json.rows[2].field).toBe('displayName');
    expect(
      await t.dataSource.query(
        "SELECT username FROM users WHERE username LIKE 'imp%' ORDER BY username",
      ),
    ).toEqual([{ username: 'imp1' }, { username: 'imp5' }]);
  });

  it('ends every session and token of a person at once when they are disabled', async () => {
    const victim = await t.token('user012');
    const browser = new PageClient(t.url);
    await browser.signIn('user012');
    expect((await browser.get('/')).status).toBe(200);
    const id = (await t.api('GET', '/api/v1/me', { token: victim })).json.id;
    const res = await t.api('PATCH', `/api/v1/users/${id}`, {
      token: admin,
      body: { active: false },
    });
    expect(res.status).toBe(200);
    expect((await t.api('GET', '/api/v1/me', { token: victim })).status).toBe(401);
    expect((await browser.get('/')).status).toBe(303);
    const open: Array<{ n: number }> = await t.dataSource.query(
      `SELECT COUNT(*) AS n FROM auth_sessions WHERE user_id = '${id}' AND revoked_at IS NULL`,
    );
    expect(Number(open[0]?.n)).toBe(0);
  });

  it('applies a role change on the person’s next request', async () => {
    const token = await t.token('user013');
    expect((await t.api('GET', '/api/v1/users', { token })).status).toBe(403);
    const id = (await t.api('GET', '/api/v1/me', { token })).json.id;
    expect(
      (
        await t.api('PATCH', `/api/v1/users/${id}`, {
          token: admin,
          body: { roles: ['secretary'] },
        })
      ).status,
    ).toBe(200);
    expect((await t.api('GET', '/api/v1/users', { token })).status).toBe(200);
  });

  it('shows the admin page with the tree and people to an admin', async () => {
    const browser = new PageClient(t.url);
    await browser.signIn('admin');
    const page = await browser.get('/admin');
    expect(page.status).toBe(200);
    expect(page.text).toContain('阳光社区第一党支部');
    expect(page.text).toContain('李小红');
  });

  it('creates an org node only where the kind fits and the admin covers the parent', async () => {
    const street = findOrg(tree, '阳光街道');
    const ok = await t.api('POST', '/api/v1/orgs', {
      token: admin,
      body: { kind: 'community', name: '新建社区', parentId: street.id },
    });
    expect(ok.status).toBe(201);
    const wrongKind = await t.api('POST', '/api/v1/orgs', {
      token: admin,
      body: { kind: 'district', name: '错层级', parentId: street.id },
    });
    expect(wrongKind.status).toBe(400);
    expect(
      (
        await t.api('POST', '/api/v1/orgs', {
          token: secretary,
          body: { kind: 'branch', name: 'x', parentId: street.id },
        })
      ).status,
    ).toBe(403);
  });
});
