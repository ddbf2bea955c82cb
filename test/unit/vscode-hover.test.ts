/** Derivative hovers on the shipped lessons, through the real provider with a stub `vscode` module. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cancellation, lessonDoc, log, memento, stubDoc, stubState } from './vscode-stub';

const hoverModule = import('../../src/vscode/hover');

async function hoverText(path: string, languageId: string, needle: string, plus = 0): Promise<string | undefined> {
  const { DerivativeHoverProvider } = await hoverModule;
  const doc = path.startsWith('/virtual/') ? stubState.docs.get(`file://${path}`)! : lessonDoc(path, languageId);
  const at = doc.getText().indexOf(needle);
  assert.ok(at >= 0, `${needle} not in ${path}`);
  const provider = new DerivativeHoverProvider({ log: log as never, state: memento() as never });
  const h = provider.provideHover(doc as never, doc.positionAt(at + plus) as never, cancellation as never) as { contents: { value: string } | { value: string }[] } | undefined;
  if (!h) return undefined;
  return (Array.isArray(h.contents) ? h.contents : [h.contents]).map((c) => c.value).join('\n');
}

test('hover on x in (x^2 + 1)^3 shows the symbolic derivative and 300 at x = 2 from the page', async () => {
  const t = await hoverText('lessons/day40-chain-rule.md', 'markdown', '(x^2 + 1)^3', 1);
  assert.ok(t);
  assert.match(t, /`6x·\(x² \+ 1\)²`/);
  assert.match(t, /\*\*300\*\*/);
  assert.match(t, /x = 2 \(line \d+: x = 2\)/);
  assert.match(t, /command:backpropGraph\.show\?/);
});

test('hover on tanh shows its local derivative rule; on w1, ∂h/∂w1 at the declared values', async () => {
  const rule = await hoverText('lessons/day05-network.lesson.ts', 'typescript', 'tanh(w1', 1);
  assert.match(rule ?? '', /Math\.tanh.*1 − tanh²\(u\)/);
  const w1 = await hoverText('lessons/day05-network.lesson.ts', 'typescript', 'w1 * x)', 0);
  assert.ok(w1);
  assert.match(w1, /∂h\/∂w1/);
  // ∂tanh(w1·x)/∂w1 = x·(1 − tanh²(1.2)) = 0.3050 at x = 1, w1 = 1.2.
  assert.match(w1, /\*\*0\.305\*\*/);
});

test('hover on w2 in `const y = w2 * h` uses the statement that computes h', async () => {
  const t = await hoverText('lessons/day05-network.lesson.ts', 'typescript', 'w2 * h', 0);
  assert.ok(t);
  // ∂(w2·h)/∂w2 = h = tanh(1.2) = 0.8337.
  assert.match(t, /\*\*0\.8337\*\*/);
  assert.match(t, /const h = Math\.tanh/);
});

test('hover on require(...).execSync and process.exit says it never runs code; nothing ran', async () => {
  const a = await hoverText('lessons/safety.lesson.md', 'markdown', 'execSync', 2);
  assert.match(a ?? '', /not a math function.*never runs it/);
  const b = await hoverText('lessons/safety.lesson.md', 'markdown', 'exit(', 1);
  assert.match(b ?? '', /process\.exit/);
  assert.equal(existsSync('/tmp/backprop-graph-safety-marker'), false);
});

test('no hover outside math, and a short message for a statement that cannot be traced', async () => {
  assert.equal(await hoverText('lessons/day40-chain-rule.md', 'markdown', 'Backpropagation is', 2), undefined);
  // (A conditional `x ? 1 : 2` traces now; the remainder operator still does not.)
  const doc = stubDoc('const y = x % 2;\n', 'typescript', '/virtual/lessons/cond.ts');
  stubState.docs.set(doc.uri.toString(), doc);
  const t = await hoverText('/virtual/lessons/cond.ts', 'typescript', 'x %', 0);
  assert.match(t ?? '', /cannot trace this statement.*Nothing was run/);
  // The same statement in ordinary code (not a lesson file): no hover at all.
  const plain = stubDoc('const y = x % 2;\nconst z = a * 2;\n', 'typescript', '/virtual/src/cond.ts');
  stubState.docs.set(plain.uri.toString(), plain);
  assert.equal(await hoverText('/virtual/src/cond.ts', 'typescript', 'x %', 0), undefined);
  assert.match((await hoverText('/virtual/src/cond.ts', 'typescript', 'a * 2', 0)) ?? '', /∂z\/∂a/);
});
