import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  start(total: number): void;
  tick(): void;
  stop(): void;
}

/** A progress bar on a terminal; silent when output goes to a file or CI log. */
export function terminalProgress(label: string): Progress {
  if (!process.stdout.isTTY) {
    return { start: () => undefined, tick: () => undefined, stop: () => undefined };
  }
  const bar = new SingleBar(
    { format: `${label} [{bar}] {value}/{total}`, hideCursor: true },
    Presets.shades_classic,
  );
  return {
    start: (total) => bar.start(total, 0),
    tick: () => bar.increment(),
    stop: () => bar.stop(),
  };
}
