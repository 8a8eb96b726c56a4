/**
 * Loads in flight by key, for read caches: callers that miss the same key while its load runs share that load
 * instead of each running it, and `forgetAll()` (on a write that makes cached values stale) sends later callers to
 * a fresh load. A load learns through `current()` whether it began after the last `forgetAll()`, that is, whether
 * what it read may be kept.
 */
export class SharedLoads<T> {
  private readonly running = new Map<string, Promise<T>>();
  private generation = 0;

  run(key: string, load: (current: () => boolean) => Promise<T>): Promise<T> {
    const running = this.running.get(key);
    if (running) {
      return running;
    }
    const generation = this.generation;
    const loaded = load(() => generation === this.generation).finally(() => {
      if (this.running.get(key) === loaded) {
        this.running.delete(key);
      }
    });
    this.running.set(key, loaded);
    return loaded;
  }

  forgetAll(): void {
    this.generation++;
    this.running.clear();
  }
}
