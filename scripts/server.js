// How the server process is started, shared by `npm start`, `npm run start:prod` and the benchmark (its
// environment and node flags), so that what is measured is what runs.
//
// glibc's malloc gives each thread that allocates its own arena and keeps what is freed in it. The sqlite3 driver
// runs every statement on libuv's worker threads, and a city report's 17 MB answer is one allocation: measured on
// the benchmark city (two rounds of 50 concurrent city reports), the process held 141 MB of malloc'd memory of
// which 55 MB was in use, across ten arenas, and peaked at 331 MB; with one arena, and allocations of 128 KB and
// more mapped on their own (returned to the system when freed rather than kept in the arena), 252 MB, with page
// and report figures within the machine's run-to-run noise. A value set by whoever starts the server is kept.
const { spawn } = require('node:child_process');
const { dirname } = require('node:path');
const { availableParallelism } = require('node:os');

const MALLOC_TUNABLES = 'glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=131072';

// V8's young generation at 2 x 8 MB instead of 2 x 16 MB: a request's garbage is short-lived, and the scavenges
// that collect it twice as often cost little. Measured on the benchmark city (quick runs, two each, alternating):
// RSS through the lesson page, learner home, transcript and quiz flow 200-205 -> 186-187 MB; app CPU per request
// lesson page 0.46/0.49 -> 0.49/0.49 ms, learner home 0.82/0.84 -> 0.87/0.87, quiz start, save and submit within
// the noise. V8 reads it only when the process starts, so it is a command-line flag rather than set in main.ts.
//
// And the old generation allowed to grow by 40% of what the last full collection left before the next, instead of
// V8's own factor (up to 4x when collections look cheap): the city reports' bursts leave tens of MB of garbage
// that otherwise sat until the heap had doubled. Quick runs of the pages, city reports, quiz flow and storms on
// the benchmark city, two pairs, alternating: peak RSS 231/226 -> 227/223 MB, CPU per request within the noise.
const NODE_ARGS = ['--max-semi-space-size=8', '--heap-growing-percent=40'];

// libuv's thread pool runs every sqlite3 statement (one writing and four reading connections), file reads and
// gzip/brotli. Its default of four threads on a two-core machine measured worse than two (likely: each statement
// handed to the pool wakes an idle thread, which costs more than a short statement on this virtual machine, and
// threads beyond the cores contend for SQLite's connection lock). Alternating quick runs on the benchmark city, two threads against four (three pairs each): app CPU per
// check-in in a warm storm 0.86-0.96 ms against 1.16-1.76, per submit 0.82-1.28 against 1.08-1.32, per lesson page
// 0.35-0.65 against 0.39-0.68. As many threads as cores, at least two (a report's reads and a page's lookups run
// beside each other) and at most libuv's four; a value set by whoever starts the server is kept.
const THREADPOOL_SIZE = Math.min(4, Math.max(2, availableParallelism()));

function serverEnv(env = process.env) {
  return {
    ...env,
    GLIBC_TUNABLES: env.GLIBC_TUNABLES ?? MALLOC_TUNABLES,
    UV_THREADPOOL_SIZE: env.UV_THREADPOOL_SIZE ?? String(THREADPOOL_SIZE),
  };
}

/** Runs the server entry as a child with that environment, passing signals on and exiting with it. */
function runServer(entry, args = process.argv.slice(2)) {
  const child = spawn(process.execPath, [...NODE_ARGS, entry, ...args], {
    cwd: dirname(dirname(entry)),
    stdio: 'inherit',
    env: serverEnv(),
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code) => process.exit(code ?? 0));
}

module.exports = { NODE_ARGS, serverEnv, runServer };
