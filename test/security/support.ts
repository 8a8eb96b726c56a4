import { SessionsService } from '../../src/auth/sessions.service';
import type { Role } from '../../src/common/access/actor';
import { TransactionService } from '../../src/database/transaction.service';
import type { CreateUserDto } from '../../src/organizations/dto/user.dto';
import { OrgNodeEntity } from '../../src/organizations/org-node.entity';
import { OrgTreeService } from '../../src/organizations/org-tree.service';
import { UsersService } from '../../src/organizations/users.service';
import { ApiResponse, PageClient, TestApp } from '../helpers/test-app';

/** The security suites boot the whole demo city; give the hooks room on a slow CI machine. */
export const BOOT_TIMEOUT = 180_000;

/**
 * Records every 5xx any spec sees: a 500 caused by client input is a bug, so `assertNo500s()` in afterAll fails
 * the suite listing each one (503 from a deliberately broken database is asserted separately, not here).
 */
export class FiveHundredGuard {
  readonly seen: string[] = [];

  wrap(t: TestApp): TestApp['api'] {
    return async (method, path, opts) => {
      const res = await t.api(method, path, opts);
      this.note(method, path, res);
      return res;
    };
  }

  note(method: string, path: string, res: ApiResponse): void {
    if (res.status >= 500) {
      this.seen.push(`${res.status} ${method} ${path.slice(0, 120)}: ${res.text.slice(0, 200)}`);
    }
  }

  /** A PageClient whose every request is checked the same way. */
  pages(t: TestApp): PageClient {
    const client = new PageClient(t.url);
    const request = client.request.bind(client);
    client.request = async (method, path, body, contentType) => {
      const res = await request(method, path, body, contentType);
      this.note(method, path, res);
      return res;
    };
    return client;
  }
}

/** Runs a parameterised query on either database (`?` placeholders become `$n` on PostgreSQL). */
export async function sql<T = Record<string, unknown>>(
  t: TestApp,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  let n = 0;
  const q = t.db === 'postgres' ? text.replace(/\?/g, () => `$${++n}`) : text;
  return t.dataSource.query<T[]>(q, params);
}

export async function count(t: TestApp, text: string, params: unknown[] = []): Promise<number> {
  const rows = await sql<{ n: string | number }>(t, text, params);
  return Number(rows[0]?.n ?? 0);
}

export async function orgByName(t: TestApp, name: string): Promise<OrgNodeEntity> {
  const node = await t.dataSource.getRepository(OrgNodeEntity).findOneBy({ name });
  if (!node) {
    throw new Error(`no org node named ${name}`);
  }
  return node;
}

/** Creates a person with roles at a node directly through the service (no actor: set-up, not a request). */
export async function makePerson(
  t: TestApp,
  username: string,
  org: OrgNodeEntity,
  roles: Role[] = [],
  displayName = username,
): Promise<{ id: string; token: string }> {
  const users = t.app.get(UsersService);
  const user = await t.app
    .get(TransactionService)
    .run((m) =>
      users.insertUser(
        m,
        { username, displayName } as Omit<CreateUserDto, 'password'>,
        org,
        'x'.repeat(60),
        roles,
      ),
    );
  const { secret } = await t.app.get(SessionsService).open(user.id, 'token', null);
  return { id: user.id, token: secret };
}

export interface Actors {
  /** Learner of the home branch (the demo `cadre`). */
  learner: string;
  learnerSibling: string;
  secretarySibling: string;
  trainerOtherDistrict: string;
  adminOtherCity: string;
  /** People who are allowed, used to create the objects under test. */
  admin: string;
  secretary: string;
  trainer: string;
}

export interface World {
  actors: Actors;
  ids: {
    cadre: string;
    homeBranch: string;
    siblingBranch: string;
    otherDistrict: string;
    otherCity: string;
    learnerSibling: string;
    secretarySibling: string;
    adminOtherCity: string;
  };
}

/**
 * The cast of the authorisation matrix, around the demo city: the home branch is 阳光社区第一党支部 (the demo
 * `cadre` and `secretary`), its sibling is 阳光社区第二党支部, the other district is 西山区, and a second city root
 * with its own admin is created here.
 */
export async function buildWorld(t: TestApp, tag = 'sec'): Promise<World> {
  const [admin, secretary, trainer, learner] = await Promise.all([
    t.token('admin'),
    t.token('secretary'),
    t.token('trainer'),
    t.token('cadre'),
  ]);
  const me = await t.api('GET', '/api/v1/me', { token: learner });
  const cadre = me.json.id as string;
  const homeBranch = me.json.branch.id as string;
  const sibling = await orgByName(t, '阳光社区第二党支部');
  const district = await orgByName(t, '西山区');
  const otherCity = await t.app
    .get(OrgTreeService)
    .create(null, { kind: 'city', name: `${tag}外市`, nameEn: 'Other City' });
  const [ls, ss, tr, ad] = await Promise.all([
    makePerson(t, `${tag}_learner_b`, sibling, [], '兄弟支部党员'),
    makePerson(t, `${tag}_secretary_b`, sibling, ['secretary'], '兄弟支部书记'),
    makePerson(t, `${tag}_trainer_xs`, district, ['trainer'], '西山区培训师'),
    makePerson(t, `${tag}_admin_city2`, otherCity, ['admin'], '外市管理员'),
  ]);
  return {
    actors: {
      learner,
      learnerSibling: ls.token,
      secretarySibling: ss.token,
      trainerOtherDistrict: tr.token,
      adminOtherCity: ad.token,
      admin,
      secretary,
      trainer,
    },
    ids: {
      cadre,
      homeBranch,
      siblingBranch: sibling.id,
      otherDistrict: district.id,
      otherCity: otherCity.id,
      learnerSibling: ls.id,
      secretarySibling: ss.id,
      adminOtherCity: ad.id,
    },
  };
}

/** The Moodle test string: must come back byte-identical in JSON and escaped exactly once in HTML. */
export const MOODLE_STRING = `< > & &lt; &gt; &amp; ' \\' 碁 \\ \\\\`;

/** How Handlebars escapes a string in a page (`{{ }}`): & < > " ' ` = are entity-encoded. */
export function htmlEscaped(s: string): string {
  const map: Record<string, string> = {
    '&': '&amp;',
    '<': '&lt;',
    '>': '&gt;',
    '"': '&quot;',
    "'": '&#x27;',
    '`': '&#x60;',
    '=': '&#x3D;',
  };
  return s.replace(/[&<>"'`=]/g, (c) => map[c] ?? c);
}
