// `npm test`: unit specs, end-to-end specs (real app, real SQLite database, real HTTP) and browser journeys
// (Debian's Chromium driven by playwright-core). Prints one closing line "N passed, N failed".
const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync, mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const haveBrowser = existsSync(chromium);
const only = process.env.TEST_PROJECTS ? process.env.TEST_PROJECTS.split(',') : null;
const projects = only ?? ['unit', 'e2e'];
if (only) {
  // A chosen subset (npm run test:pg runs the end-to-end suite on PostgreSQL).
} else if (haveBrowser) {
  projects.push('browser');
} else if (process.env.REQUIRE_BROWSER === '1') {
  console.error(`Chromium is required (REQUIRE_BROWSER=1) but was not found at ${chromium}.`);
  process.exit(1);
} else {
  console.warn(
    `\n*** Browser tests SKIPPED: Chromium was not found at ${chromium}.\n*** Install it with: sudo apt-get install -y chromium   (or set CHROMIUM_PATH)\n`,
  );
}

const extra = process.argv.slice(2);
const out = join(mkdtempSync(join(tmpdir(), 'cadre-jest-')), 'results.json');
const args = [
  'jest',
  '--selectProjects',
  ...projects,
  '--runInBand',
  // A suite that forgot to close a pool or timer must not hang CI; the results are already written.
  '--forceExit',
  '--json',
  `--outputFile=${out}`,
  ...extra,
];
const run = spawnSync('npx', args, { stdio: 'inherit', env: process.env });

let summary = 'no test ran';
if (existsSync(out)) {
  const r = JSON.parse(readFileSync(out, 'utf8'));
  summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed${r.numPendingTests ? `, ${r.numPendingTests} skipped` : ''}`;
}
console.log(
  `\n${haveBrowser ? '' : '(browser tests skipped) '}${process.env.TEST_DB === 'postgres' ? 'PostgreSQL' : 'SQLite'}:`,
);
console.log(summary);
process.exit(run.status ?? 1);
