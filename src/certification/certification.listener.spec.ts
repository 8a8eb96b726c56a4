import { ForegroundLoad } from '../database/foreground-load';
import { CertificationListener, MAX_DEFER_MS } from './certification.listener';
import type { IssuingService } from './issuing.service';

/** An IssuingService stand-in whose evaluations finish when the test says so. */
function fakeIssuing() {
  const calls: string[] = [];
  const waiting: Array<() => void> = [];
  let running = 0;
  let maxRunning = 0;
  const issuing = {
    evaluateAndIssue: (userId: string) => {
      calls.push(userId);
      running++;
      maxRunning = Math.max(maxRunning, running);
      return new Promise<[]>((resolve) =>
        waiting.push(() => {
          running--;
          resolve([]);
        }),
      );
    },
  } as unknown as IssuingService;
  const finishAll = async (): Promise<void> => {
    while (waiting.length > 0) {
      waiting.splice(0).forEach((finish) => finish());
      await new Promise((r) => setImmediate(r));
    }
  };
  return { issuing, calls, finishAll, maxRunning: () => maxRunning };
}

describe('CertificationListener (evaluations after the answer)', () => {
  it('merges events for a person and evaluates once more when one arrives during an evaluation', async () => {
    const f = fakeIssuing();
    const listener = new CertificationListener(f.issuing);
    listener.onProgress({ userId: 'a' });
    listener.onProgress({ userId: 'a' }); // during the running evaluation: one more later
    listener.onProgress({ userIds: ['a', 'a'] });
    await f.finishAll();
    await listener.settle('a');
    expect(f.calls).toEqual(['a', 'a']);
  });

  it('runs two at a time, and settle() starts a waiting person at once', async () => {
    const f = fakeIssuing();
    const listener = new CertificationListener(f.issuing);
    listener.onProgress({ userIds: ['a', 'b', 'c', 'd'] });
    expect(f.calls).toEqual(['a', 'b']);
    const settled = listener.settle('d');
    expect(f.calls).toEqual(['a', 'b', 'd']);
    let done = false;
    void settled.then(() => (done = true));
    await f.finishAll();
    await settled;
    expect(done).toBe(true);
    await listener.settleAll();
    expect([...f.calls].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(f.maxRunning()).toBeLessThanOrEqual(3);
  });

  it('keeps going after a failed evaluation and answers settle() for unknown people at once', async () => {
    const calls: string[] = [];
    const issuing = {
      evaluateAndIssue: async (userId: string) => {
        calls.push(userId);
        if (userId === 'bad') {
          throw new Error('database unavailable');
        }
        return [];
      },
    } as unknown as IssuingService;
    const listener = new CertificationListener(issuing);
    jest.spyOn(listener['logger'], 'error').mockImplementation(() => undefined);
    listener.onProgress({ userIds: ['bad', 'good'] });
    await listener.settleAll();
    await listener.settle('nobody');
    expect(calls).toEqual(['bad', 'good']);
  });

  it('settleAll() runs the waiting evaluations two at a time, even while requests are being answered', async () => {
    const f = fakeIssuing();
    const load = new ForegroundLoad();
    const listener = new CertificationListener(f.issuing, load);
    const request = load.begin();
    const people = Array.from({ length: 50 }, (_, i) => `p${i}`);
    listener.onProgress({ userIds: people });
    expect(f.calls).toEqual([]);
    let settled = false;
    const all = listener.settleAll().then(() => (settled = true));
    expect(f.calls).toEqual(['p0', 'p1']);
    await f.finishAll();
    await all;
    expect(settled).toBe(true);
    expect(f.calls).toEqual(people);
    expect(f.maxRunning()).toBe(2);
    request();
  });

  it('holds evaluations back while requests are answered, and starts them when the last one is', async () => {
    const f = fakeIssuing();
    const load = new ForegroundLoad();
    const listener = new CertificationListener(f.issuing, load);
    const first = load.begin();
    const second = load.begin();
    listener.onProgress({ userIds: ['a', 'b', 'c'] });
    expect(f.calls).toEqual([]);
    first();
    first(); // a reply's 'close' counted twice must not free the other request's slot
    expect(f.calls).toEqual([]);
    // Someone opening their certificates is never held back.
    void listener.settle('c');
    expect(f.calls).toEqual(['c']);
    second();
    expect(f.calls).toEqual(['c', 'a']);
    await f.finishAll();
    await listener.settleAll();
    expect(f.calls).toEqual(['c', 'a', 'b']);
  });

  it('under load that never lets up, starts an overdue evaluation, one at a time', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-01T02:00:00Z') });
    try {
      const f = fakeIssuing();
      const load = new ForegroundLoad();
      const listener = new CertificationListener(f.issuing, load);
      load.begin();
      listener.onProgress({ userIds: ['a', 'b'] });
      jest.advanceTimersByTime(MAX_DEFER_MS - 1);
      expect(f.calls).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(f.calls).toEqual(['a']);
      expect(f.maxRunning()).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });
});
