// `npm run cli -- <command>`: build if needed, then run the command-line entry with the same services as the server.
const { spawn } = require('node:child_process');
const { ensureBuild, root } = require('./ensure-build');

const entry = ensureBuild('cli/cli.js');
const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
child.on('exit', (code) => process.exit(code ?? 0));
