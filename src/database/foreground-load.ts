import { Injectable } from '@nestjs/common';

/**
 * How many HTTP requests are being answered right now, so that background work (certificate evaluations) can
 * leave the database to them. On SQLite every query of the process shares one connection: during a check-in
 * storm the ten reads of each member's evaluation made every other member wait for their own check-in.
 */
@Injectable()
export class ForegroundLoad {
  private inFlight = 0;
  private readonly idleWaiters = new Set<() => void>();

  get busy(): boolean {
    return this.inFlight > 0;
  }

  /** Counts one request until `done` is called (once; later calls are ignored). */
  begin(): () => void {
    this.inFlight++;
    let ended = false;
    return () => {
      if (ended) {
        return;
      }
      ended = true;
      this.inFlight--;
      if (this.inFlight === 0) {
        const waiters = [...this.idleWaiters];
        this.idleWaiters.clear();
        waiters.forEach((wake) => wake());
      }
    };
  }

  /** Calls `wake` once, the next time no request is in flight. */
  onIdle(wake: () => void): void {
    this.idleWaiters.add(wake);
  }
}
