/**
 * Items handled in batches, one batch at a time: an item added while nothing is being handled starts a batch at
 * once; items added while a batch is being handled wait and go together in the next (at most `most` of them).
 * A lone item is never held back, and a burst is handled in a few batches instead of one by one (group commit).
 * `handle` settles each item itself and does not throw.
 */
export class OneBatchAtATime<T> {
  private waiting: T[] = [];
  private handling = false;

  constructor(
    private readonly most: number,
    private readonly handle: (batch: T[]) => Promise<void>,
  ) {}

  add(item: T): void {
    this.waiting.push(item);
    if (!this.handling) {
      void this.handleWaiting();
    }
  }

  private async handleWaiting(): Promise<void> {
    this.handling = true;
    try {
      while (this.waiting.length > 0) {
        await this.handle(this.waiting.splice(0, this.most));
      }
    } finally {
      this.handling = false;
    }
  }
}
