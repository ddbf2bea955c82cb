// @vscode/test-cli configuration (run from the repository root, see README.md next to this file).
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'out/integration/suite/**/*.test.js',
  workspaceFolder: './lessons',
  version: 'stable',
  mocha: { ui: 'tdd', timeout: 60_000 },
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
});
