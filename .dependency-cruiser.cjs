// The architecture's import rules, checked by `npm run lint:deps` (part of `npm test`):
// data flows one way (no cycles), the engine is pure, and the extension never reaches into the webview.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Modules import in one direction: a cycle means two modules own one concept.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'engine-no-node',
      severity: 'error',
      comment: 'The engine runs anywhere (extension host, CLI, webview, browser): no Node built-ins.',
      from: { path: '^src/engine/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'engine-no-vscode',
      severity: 'error',
      comment: 'The engine knows nothing of VS Code; the adapters in src/vscode call it.',
      from: { path: '^src/engine/' },
      to: { path: '(^|/)vscode(/|$)' },
    },
    {
      name: 'engine-stays-inside',
      severity: 'error',
      comment: 'The engine imports only itself and the TypeScript compiler (its parser) (mathjs is a test oracle only). DOM types are kept out by tsconfig.core.json.',
      from: { path: '^src/engine/' },
      to: { pathNot: ['^src/engine/', '^node_modules/typescript/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'extension-no-node',
      severity: 'error',
      comment: 'The extension also runs in the web worker extension host (package.json "browser"): no Node built-ins outside the CLI.',
      from: { path: ['^src/vscode/', '^src/host/', '^src/extension(\\.web)?\\.ts$', '^src/protocol\\.ts$'] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'src-no-media',
      severity: 'error',
      comment: 'media/ is the webview (its own bundle); the extension, CLI and engine never import it.',
      from: { path: '^src/' },
      to: { path: '^media/' },
    },
  ],
  options: {
    // Type-only imports count: a cycle through types is still two modules that need each other.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|media/dist|bench/\\.out|\\.e2e-tools|test/e2e/fixtures|test/fixtures/dep-rules)/' },
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js', '.cjs', '.json', '.d.ts'] },
  },
};
