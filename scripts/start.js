// `npm start`: build if needed, then run the server (creates, migrates and seeds the database on first start).
const { spawn } = require('node:child_process');
const { ensureBuild, root } = require('./ensure-build');

const entry = ensureBuild('main.js');
const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code) => process.exit(code ?? 0));
