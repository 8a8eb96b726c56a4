import { DateTime } from 'luxon';
import type { DemoContext } from '../demo/demo.service';
import { UserEntity } from '../organizations/user.entity';
import { CertificateEntity } from './certificate.entity';
import { IssuingService } from './issuing.service';

/**
 * Demo history (after curriculum 10, assessment 20, study days 30): certificates already issued, one revoked.
 * Issued directly in the seed transaction, each with its PDF rendered once and hashed, as a live issue would be.
 */
export async function seedCertificates(ctx: DemoContext, issuing: IssuingService): Promise<void> {
  const { rules } = await issuing.rules();
  const rule = (key: string) => rules.find((r) => r.key === key);
  const now = DateTime.now().setZone('Asia/Shanghai');
  const issue = async (
    user: UserEntity | undefined,
    key: string,
    daysAgo: number,
  ): Promise<CertificateEntity | null> => {
    const r = rule(key);
    if (!user || !r) {
      return null;
    }
    const issuedAt = now
      .minus({ days: daysAgo })
      .set({ hour: 10, minute: 0, second: 0, millisecond: 0 })
      .toJSDate();
    const periodKey =
      r.period === 'yearly'
        ? `Y${DateTime.fromJSDate(issuedAt, { zone: 'Asia/Shanghai' }).year}`
        : 'once';
    return issuing.issueIn(ctx.manager, {
      user,
      rule: r,
      period: { key: periodKey, from: issuedAt, to: issuedAt },
      hours: r.hours === 'earned' ? 30 : r.hours,
      issuedAt,
    });
  };
  const person = (username: string) => ctx.people.find((p) => p.username === username);

  // The demo cadre finished the special-topic course on the monthly study day.
  await issue(ctx.accounts.cadre, 'special-party-study-day', 12);
  await issue(ctx.accounts.secretary, 'special-party-study-day', 200);
  await issue(ctx.accounts.secretary, 'special-digital-grid', 90);
  await issue(person('user001'), 'initial-training', 150);
  await issue(person('user002'), 'initial-training', 140);
  await issue(person('user002'), 'prep-assistant', 60);
  await issue(person('user004'), 'continuing-education', 30);
  const wrong = await issue(person('user006'), 'special-digital-grid', 45);
  if (wrong) {
    // Issued on a misrecorded final test; the city revoked it.
    await ctx.manager.getRepository(CertificateEntity).update(
      { id: wrong.id },
      {
        status: 'revoked',
        revokedAt: now.minus({ days: 40 }).toJSDate(),
        revokedBy: ctx.accounts.admin.id,
        revokeReason: '结业测验成绩录入有误，经核实未达合格线',
      },
    );
  }
}
