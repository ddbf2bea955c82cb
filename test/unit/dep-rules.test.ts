// The import rules of .dependency-cruiser.cjs (run by `npm run lint:deps`) must be able to fail: run the
// same checker on a small tree that breaks each rule once and expect each break to be reported.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(__dirname, '..', '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'dep-rules');

function cruise(cwd: string, ...targets: string[]) {
  const bin = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  return spawnSync(process.execPath, [bin, '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'err', ...targets], {
    cwd, encoding: 'utf8', timeout: 120_000,
  });
}

test('the dependency rules fail on a cycle, Node and vscode in the engine, Node in the extension, and src importing media', () => {
  const r = cruise(FIXTURE, 'src', 'media');
  const out = r.stdout + r.stderr;
  assert.notEqual(r.status, 0, `depcruise passed a tree that breaks every rule:\n${out}`);
  assert.match(out, /no-cycles: src\/engine\/first\.ts →\s+src\/engine\/second\.ts →\s+src\/engine\/first\.ts/);
  assert.match(out, /engine-no-node: src\/engine\/reads-files\.ts → (node:)?fs/);
  assert.match(out, /engine-no-vscode: src\/engine\/uses-vscode\.ts → \S*vscode/);
  assert.match(out, /extension-no-node: src\/vscode\/uses-node\.ts → (node:)?crypto/);
  assert.match(out, /src-no-media: src\/panel\.ts → media\/draw\.ts/);
});

test('the same rules pass the engine-only part of the fixture that breaks none', () => {
  // media/draw.ts alone imports nothing: the checker must not fail on everything.
  const r = cruise(FIXTURE, 'media');
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
