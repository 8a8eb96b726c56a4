// `npm start`: build if needed, then run the server (creates, migrates and seeds the database on first start).
// `npm run start:prod` (`--built`): run the built server as it is, for deployments that build once.
const { ensureBuild, root } = require('./ensure-build');
const { join } = require('node:path');
const { runServer } = require('./server');

const built = process.argv.includes('--built');
const entry = built ? join(root, 'dist/main.js') : ensureBuild('main.js');
runServer(
  entry,
  process.argv.slice(2).filter((arg) => arg !== '--built'),
);
