import { Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Failed sign-ins are counted per account and per address; successes are never counted, so a whole branch
 * signing in over the venue's Wi-Fi is never refused. After 10 failures in a minute an account is refused
 * (429) for 5 minutes; an address gets 100 failures in 10 minutes. From the 4th failure each attempt is slowed.
 * Counters live in the process: behind a load balancer each process counts on its own (stated in SECURITY.md).
 * One instance per app: a wrong current password at /me/password counts against the same account and address.
 */
@Injectable()
export class LoginThrottle {
  private readonly perAccount = new RateLimiterMemory({
    keyPrefix: 'acct',
    points: 10,
    duration: 60,
    blockDuration: 300,
  });
  private readonly perAddress = new RateLimiterMemory({
    keyPrefix: 'addr',
    points: 100,
    duration: 600,
    blockDuration: 600,
  });

  /** Seconds the caller must wait, or 0 when the attempt may go ahead. */
  async blockedFor(username: string, ip: string): Promise<number> {
    const [account, address] = await Promise.all([
      this.perAccount.get(username.toLowerCase()),
      this.perAddress.get(ip),
    ]);
    const waits = [account, address]
      .filter((r): r is RateLimiterRes => r !== null && r.remainingPoints <= 0)
      .map((r) => Math.ceil(r.msBeforeNext / 1000));
    return waits.length > 0 ? Math.max(...waits, 1) : 0;
  }

  /** Records a failure; returns the delay (ms) to apply before answering, which grows with repeated failures. */
  async fail(username: string, ip: string): Promise<number> {
    const results = await Promise.all([
      this.perAccount.penalty(username.toLowerCase(), 1),
      this.perAddress.penalty(ip, 1),
    ]);
    const failures = results[0].consumedPoints;
    if (failures >= 10) {
      await this.perAccount.block(username.toLowerCase(), 300);
    }
    return failures > 3 ? Math.min((failures - 3) * 250, 2000) : 0;
  }

  async succeed(username: string): Promise<void> {
    await this.perAccount.delete(username.toLowerCase());
  }
}
