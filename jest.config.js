// Four projects: unit specs beside the code, end-to-end specs that boot the app over HTTP,
// browser journeys in Chromium, and the crash suite (run by .ci/run and `npm run test:crash`).
const transform = { '^.+\\.(t|j)s$': ['@swc/jest'] };
// A few dependencies ship ESM only; swc turns them into CommonJS for jest.
const esmOnly = ['content-disposition'];
const common = {
  transform,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
};

const { existsSync } = require('node:fs');
const { join } = require('node:path');

const projects = [
    { ...common, displayName: 'unit', rootDir: 'src', testRegex: '.*\\.spec\\.ts$' },
    { ...common, displayName: 'e2e', rootDir: 'test', testRegex: '.*\\.e2e-spec\\.ts$' },
    { ...common, displayName: 'browser', rootDir: 'test/browser', testRegex: '.*\\.browser-spec\\.ts$' },
    { ...common, displayName: 'crash', rootDir: 'test/crash', testRegex: '.*\\.crash-spec\\.ts$' },
];

// testTimeout is a global option (jest ignores it inside a project): every e2e suite boots a whole app.
module.exports = {
  testTimeout: 120000,
  projects: projects.filter((p) => existsSync(join(__dirname, p.rootDir))),
};
