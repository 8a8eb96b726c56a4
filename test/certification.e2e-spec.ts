import { EventEmitter2 } from '@nestjs/event-emitter';
import { createHash, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { ContentImportService } from '../src/content/content-import.service';
import { TransactionService } from '../src/database/transaction.service';
import { OrgNodeEntity } from '../src/organizations/org-node.entity';
import { CertificateEntity } from '../src/certification/certificate.entity';
import { CertificationFacts, TaskCredit } from '../src/certification/certification-facts';
import { IssuingService } from '../src/certification/issuing.service';
import { PersonFacts } from '../src/certification/rule-evaluation';
import { PageClient, startTestApp, TestApp } from './helpers/test-app';

/**
 * Learning, assessment and attendance are separate modules; their facts reach certification through
 * CertificationFacts, whose sources are replaced here by in-memory ones so each rule can be driven exactly.
 */
describe('Certification', () => {
  let t: TestApp;
  let issuing: IssuingService;
  const completed = new Map<string, PersonFacts['completedCourses']>();
  const quizzes = new Map<string, PersonFacts['passedQuizzes']>();
  const hours = new Map<string, Record<string, number>>();
  const credits: TaskCredit[] = [];
  const taskLessonId = randomUUID();
  let admin: string;
  let secretary: string;
  let cadre: string;

  const userId = async (username: string): Promise<string> => {
    const res = await t.api('GET', `/api/v1/users?q=${username}`, { token: admin });
    return (res.json.items as Array<{ id: string; username: string }>).find(
      (u) => u.username === username,
    )!.id;
  };
  const certificatesOf = (id: string, ruleKey: string) =>
    t.dataSource.getRepository(CertificateEntity).findBy({ userId: id, ruleKey });

  beforeAll(async () => {
    t = await startTestApp();
    issuing = t.app.get(IssuingService);
    t.app.get(CertificationFacts).useSources({
      completedCourses: async (id) => completed.get(id) ?? [],
      passedQuizzes: async (id) => quizzes.get(id) ?? [],
      hoursBetween: async (id) => {
        const byKind = hours.get(id) ?? {};
        return { total: Object.values(byKind).reduce((a, b) => a + b, 0), byKind };
      },
      attendance: async () => ({ rate: null, sessions: 0 }),
      practicalLesson: async (id) =>
        id === taskLessonId
          ? {
              lessonId: id,
              title: '实践任务：组织一次小型居民活动并撰写复盘',
              kind: 'practical_task',
              courseSlug: 'volunteer-mobilising',
              courseTitle: '组织动员居民与志愿者',
              trainingKind: 'practical',
            }
          : null,
      creditTask: async (_m, credit) => {
        credits.push(credit);
      },
    });
    [admin, secretary, cadre] = await Promise.all([
      t.token('admin'),
      t.token('secretary'),
      t.token('cadre'),
    ]);
  }, 120000);
  afterAll(async () => {
    await t.close();
  });

  it('gives the demo cadre a certificate whose PDF embeds the Chinese font and matches the stored hash', async () => {
    const mine = await t.api('GET', '/api/v1/me/certificates', { token: cadre });
    expect(mine.status).toBe(200);
    const item = mine.json.items[0];
    expect(item).toEqual(
      expect.objectContaining({
        serial: expect.stringMatching(/^SF-\d{4}-\d{6}$/),
        status: 'valid',
        verifyCode: expect.stringMatching(/^[A-Z2-7]{26}$/),
      }),
    );
    const res = await fetch(`${t.url}/api/v1/certificates/${item.id}/pdf`, {
      headers: { authorization: `Bearer ${cadre}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/FontFile2/);
    expect(pdf.toString('latin1')).toMatch(/NotoSerifSC/);
    const verify = await t.api('GET', `/api/v1/verify/${item.verifyCode}`);
    expect(verify.json).toEqual(
      expect.objectContaining({
        status: 'valid',
        holder: '李*红',
        pdfSha256: createHash('sha256').update(pdf).digest('hex'),
      }),
    );
  });

  it('issues exactly one initial-training certificate when the last two events arrive together', async () => {
    const id = await userId('user010');
    const now = new Date();
    completed.set(id, [{ slug: 'first-30-days', trainingKind: 'initial', completedAt: now }]);
    hours.set(id, { initial: 4 });
    expect(await certificatesOf(id, 'initial-training')).toHaveLength(0);
    quizzes.set(id, [
      { courseSlug: 'first-30-days', scorePercent: 90, passedAt: now, isFinal: true },
    ]);
    const events = t.app.get(EventEmitter2);
    await Promise.all([
      events.emitAsync('quiz.passed', { userId: id }),
      events.emitAsync('course.completed', { userId: id }),
      issuing.evaluateAndIssue(id),
      issuing.evaluateAndIssue(id),
    ]);
    const certs = await certificatesOf(id, 'initial-training');
    expect(certs).toHaveLength(1);
    expect(certs[0]).toEqual(
      expect.objectContaining({ hours: 4, trainingKind: 'initial', status: 'valid' }),
    );
    await events.emitAsync('lesson.completed', { userId: id });
    expect(await certificatesOf(id, 'initial-training')).toHaveLength(1);
  }, 60000);

  it('gives every concurrent issue its own sequential serial', async () => {
    const tx = t.app.get(TransactionService);
    const city = await t.dataSource.getRepository(OrgNodeEntity).findOneByOrFail({ kind: 'city' });
    const serials = await Promise.all(
      Array.from({ length: 12 }, () => tx.run((m) => issuing.allocateSerial(m, city, 2031))),
    );
    expect(new Set(serials).size).toBe(12);
    expect(serials.map((s) => Number(s.slice(-6))).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
  }, 60000);

  it('lets only the owner and secretaries/admins in scope download a PDF, and only admins revoke', async () => {
    const mine = await t.api('GET', '/api/v1/me/certificates', { token: cadre });
    const certId = mine.json.items[0].id as string;
    const other = await t.token('user040');
    expect(
      (await t.api('GET', `/api/v1/certificates/${certId}/pdf`, { token: other })).status,
    ).toBe(404);
    expect(
      (await t.api('GET', `/api/v1/certificates/${certId}/pdf`, { token: secretary })).status,
    ).toBe(200);
    const far = await t.dataSource
      .getRepository(CertificateEntity)
      .findOneByOrFail({ userId: await userId('user010'), ruleKey: 'initial-training' });
    expect(
      (await t.api('GET', `/api/v1/certificates/${far.id}/pdf`, { token: secretary })).status,
    ).toBe(404);
    expect(
      (
        await t.api('POST', `/api/v1/certificates/${certId}/revoke`, {
          token: secretary,
          body: { reason: '测试' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.api('POST', `/api/v1/certificates/${certId}/revoke`, {
          token: cadre,
          body: { reason: '测试' },
        })
      ).status,
    ).toBe(403);
  });

  it('says valid, then revoked after an admin revokes with a reason, and writes the audit log', async () => {
    const id = await userId('user010');
    const cert = (await certificatesOf(id, 'initial-training'))[0];
    const page = await fetch(`${t.url}/verify/${cert.verifyCode}`);
    expect(await page.text()).toContain('该证书真实有效');
    const revoked = await t.api('POST', `/api/v1/certificates/${cert.id}/revoke`, {
      token: admin,
      body: { reason: '培训记录核查有误' },
    });
    expect(revoked.status).toBe(201);
    expect(revoked.json.status).toBe('revoked');
    expect(
      (
        await t.api('POST', `/api/v1/certificates/${cert.id}/revoke`, {
          token: admin,
          body: { reason: '再次撤销' },
        })
      ).status,
    ).toBe(409);
    const verify = await t.api('GET', `/api/v1/verify/${cert.verifyCode}`);
    expect(verify.json).toEqual(
      expect.objectContaining({
        status: 'revoked',
        title: '初任培训合格证书',
        trainingKind: 'initial',
        hours: 4,
      }),
    );
    const audit = await t.dataSource.query(
      `SELECT action FROM audit_log WHERE target_id = '${cert.id}'`,
    );
    expect((audit as Array<{ action: string }>).map((a) => a.action).sort()).toEqual([
      'certificate.issue',
      'certificate.revoke',
    ]);
    // A revoked certificate is not issued again by the next event.
    await issuing.evaluateAndIssue(id);
    expect(await certificatesOf(id, 'initial-training')).toHaveLength(1);
  });

  it('re-issues with a new serial and keeps the old one verifiable as superseded', async () => {
    const mine = await t.api('GET', '/api/v1/me/certificates', { token: cadre });
    const old = mine.json.items[0];
    const fresh = await t.api('POST', `/api/v1/certificates/${old.id}/reissue`, {
      token: secretary,
      body: { reason: '持证人姓名更正' },
    });
    expect(fresh.status).toBe(201);
    expect(fresh.json.serial).not.toBe(old.serial);
    const verifyOld = await t.api('GET', `/api/v1/verify/${old.verifyCode}`);
    expect(verifyOld.json).toEqual(
      expect.objectContaining({ status: 'superseded', supersededBy: fresh.json.serial }),
    );
  });

  it('signs off a practical task for a learner in scope, credits its hours once and refuses a repeat', async () => {
    const submit = await t.api('POST', `/api/v1/tasks/${taskLessonId}/submit`, {
      token: cadre,
      body: { note: '活动已举办，材料已提交。' },
    });
    expect(submit.status).toBe(201);
    const pending = await t.api('GET', '/api/v1/tasks/pending', { token: secretary });
    const item = (
      pending.json.items as Array<{ lessonId: string; userId: string; learnerName: string }>
    ).find((i) => i.lessonId === taskLessonId)!;
    expect(item.learnerName).toBe('李小红');
    const outsider = await t.token('trainer');
    expect(
      (
        await t.api('POST', `/api/v1/tasks/${randomUUID()}/sign-off`, {
          token: outsider,
          body: { userId: item.userId, note: 'ok' },
        })
      ).status,
    ).toBe(404);
    const signed = await t.api('POST', `/api/v1/tasks/${taskLessonId}/sign-off`, {
      token: secretary,
      body: { userId: item.userId, note: '方案完整，复盘具体。' },
    });
    expect(signed.status).toBe(201);
    expect(signed.json).toEqual(expect.objectContaining({ status: 'signed_off', hours: 2 }));
    expect(credits).toEqual([
      expect.objectContaining({ userId: item.userId, lessonId: taskLessonId, hours: 2 }),
    ]);
    expect(
      (
        await t.api('POST', `/api/v1/tasks/${taskLessonId}/sign-off`, {
          token: secretary,
          body: { userId: item.userId, note: '再签' },
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await t.api('POST', `/api/v1/tasks/${taskLessonId}/sign-off`, {
          token: cadre,
          body: { userId: item.userId, note: 'x' },
        })
      ).status,
    ).toBe(403);
  });

  it('changes the requirement shown when a policy number changes and the content is re-imported', async () => {
    const before = await t.api('GET', '/api/v1/me/qualification', { token: secretary });
    expect(before.json.level).toBe('social_worker');
    expect(before.json.continuingEducation.required).toBe(90);
    expect(before.json.nextLevel.level).toBe('senior');
    const dir = mkdtempSync(join(tmpdir(), 'cadre-content-'));
    try {
      cpSync(t.config.contentDir, dir, { recursive: true });
      const file = join(dir, 'policy', 'qualification-levels.yml');
      const original = readFileSync(file, 'utf8');
      writeFileSync(
        file,
        original.replace(
          'continuingHours: 90\n    source: 民政部《社会工作者继续教育办法》(民发〔2013〕6号) 第八条',
          'continuingHours: -5\n    source: 民政部《社会工作者继续教育办法》(民发〔2013〕6号) 第八条',
        ),
      );
      const broken = await t.app.get(ContentImportService).import(dir);
      expect(broken.ok).toBe(false);
      expect(broken.problems).toEqual([
        expect.objectContaining({
          file: file,
          line: expect.any(Number),
          message: expect.stringContaining('continuingHours'),
        }),
      ]);
      expect(broken.problems[0].line).toBeGreaterThan(10);
      writeFileSync(
        file,
        original.replace(
          'continuingHours: 90\n    source: 民政部《社会工作者继续教育办法》(民发〔2013〕6号) 第八条',
          'continuingHours: 96\n    source: 民政部《社会工作者继续教育办法》(民发〔2013〕6号) 第八条',
        ),
      );
      const report = await t.app.get(ContentImportService).import(dir);
      expect(report.ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const after = await t.api('GET', '/api/v1/me/qualification', { token: secretary });
    expect(after.json.continuingEducation.required).toBe(96);
    const page = new PageClient(t.url);
    await page.signIn('admin');
    const policy = await page.get('/admin/policy');
    expect(policy.status).toBe(200);
    expect(policy.text).toContain('continuingHours: 96');
  });

  it('shows the qualification page and the people falling behind', async () => {
    const page = new PageClient(t.url);
    await page.signIn('cadre');
    expect((await page.get('/me/certificates')).text).toContain('专项培训证书：开好主题党日');
    const mine = await page.get('/me/qualification');
    expect(mine.status).toBe(200);
    expect(mine.text).toContain('助理社会工作师');
    const sec = new PageClient(t.url);
    await sec.signIn('secretary');
    const behind = await t.api('GET', '/api/v1/qualification/behind', { token: secretary });
    expect(behind.status).toBe(200);
    expect(behind.json.items.length).toBeGreaterThan(0);
    expect((await sec.get('/qualification/behind')).status).toBe(200);
    expect((await t.api('GET', '/api/v1/qualification/behind', { token: cadre })).status).toBe(403);
  });

  it('exports the certificates of a subtree as one ZIP', async () => {
    const me = await t.api('GET', '/api/v1/me', { token: secretary });
    const branchId = me.json.branch.id as string;
    const year = new Date().getFullYear();
    const res = await fetch(
      `${t.url}/api/v1/certificates/export.zip?org=${branchId}&from=${year - 1}-01-01&to=${year + 1}-12-31`,
      { headers: { authorization: `Bearer ${secretary}` } },
    );
    expect(res.status).toBe(200);
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    expect(Object.keys(files)).toContain('index.csv');
    expect(Object.keys(files).filter((f) => f.endsWith('.pdf')).length).toBeGreaterThan(0);
    const city = await t.dataSource.getRepository(OrgNodeEntity).findOneByOrFail({ kind: 'city' });
    expect(
      (
        await t.api(
          'GET',
          `/api/v1/certificates/export.zip?org=${city.id}&from=2026-01-01&to=2026-12-31`,
          { token: secretary },
        )
      ).status,
    ).toBe(403);
  });

  it('answers 404 to random codes with no hint, and 429 to a burst', async () => {
    const random = await t.api('GET', '/api/v1/verify/ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    expect(random.status).toBe(404);
    expect(random.json.error).toBe('VERIFY_CODE_NOT_FOUND');
    expect((await t.api('GET', '/api/v1/verify/short')).json.error).toBe('VERIFY_CODE_NOT_FOUND');
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      statuses.push(
        (await t.api('GET', `/api/v1/verify/${'A'.repeat(20)}${String(100000 + i)}`)).status,
      );
    }
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s !== 404 && s !== 429)).toEqual([]);
  });
});
