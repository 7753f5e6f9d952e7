// The browser tier: Swagger UI driven in Debian's Chromium (apt-get install chromium).
// Separate from `npm test`, which needs nothing installed; .ci/run installs Chromium and runs it.
const base = require('./jest.config.js');
const sqlite = base.projects.find((project) => project.displayName === 'e2e-sqlite');

module.exports = {
  ...sqlite,
  displayName: 'browser',
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  testTimeout: 60000,
};
