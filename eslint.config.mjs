// ESLint (flat config): the recommended JavaScript and typescript-eslint rules, at zero warnings
// (`npm run lint`, part of `npm test`). A rule is turned off only with its reason next to it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/', 'media/dist/', 'bench/.out/', '.e2e-tools/', 'node_modules/', 'test/e2e/fixtures/', 'test-output/',
      '.vscode-test/', 'out/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    // Build scripts and the dependency-cruiser config run in Node.
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable' } },
  },
  {
    // Deliberate run-time require()s: the engine and the TypeScript parser are separate bundles loaded on
    // first use (src/host), the CLI's version is package.json inlined by esbuild, and one unit test loads
    // the built bundle to test what ships.
    files: ['src/host/lazy.ts', 'src/host/engine.ts', 'src/cli/cli.ts', 'test/unit/ts-frontend.test.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Reading mathjs nodes (the previous math front end, now a test oracle): its MathNode union does not type
    // the fields each node type has (args, fn, content, items, object, value), read across types after `type`.
    files: ['test/unit/math-mathjs-oracle.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // page.evaluate() callbacks run in the browser, but these files are typed without the DOM lib: the
    // elements they receive are `any` on purpose.
    files: ['test/e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
