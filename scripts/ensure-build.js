// Builds dist/ when it is missing or older than the sources, so `npm start` and `npm run cli` work on a fresh clone.
const { execSync } = require('node:child_process');
const { existsSync, statSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');

function newest(dir) {
  let latest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    latest = Math.max(latest, item.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function ensureBuild(entry) {
  const target = join(root, 'dist', entry);
  if (!existsSync(target) || newest(join(root, 'src')) > statSync(target).mtimeMs) {
    console.error('Building Cadre Academy (first run or sources changed)...');
    execSync('npx nest build', { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  return target;
}

module.exports = { ensureBuild, root };
