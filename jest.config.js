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
    { ...common, displayName: 'e2e', rootDir: 'test', testRegex: '.*\\.e2e-spec\\.ts$', testTimeout: 60000 },
    { ...common, displayName: 'browser', rootDir: 'test/browser', testRegex: '.*\\.browser-spec\\.ts$', testTimeout: 120000 },
    { ...common, displayName: 'crash', rootDir: 'test/crash', testRegex: '.*\\.crash-spec\\.ts$', testTimeout: 600000 },
];

module.exports = { projects: projects.filter((p) => existsSync(join(__dirname, p.rootDir))) };
