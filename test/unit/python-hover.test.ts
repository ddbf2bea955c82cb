/** The derivative hover in a Python file: its advice is written in Python. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as engine from '../../src/host/engine';
import { computeHover } from '../../src/vscode/text/hover-compute';

function hover(text: string, languageId: string, needle: string) {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, needle);
  return computeHover({
    text, offset: at, languageId, uri: 'file:///lessons/t', isLesson: () => true, remembered: {}, digits: 4, engine: () => engine,
  });
}

test('a value missing in a Python file: the hover suggests a Python line (x = 1.0), not TypeScript', () => {
  const shown = hover('import numpy as np\ny = np.tanh(w * x)\n', 'python', 'w *');
  const advice = shown?.lines.find((l) => l.startsWith('No value known')) ?? '';
  assert.match(advice, /add e\.g\. `w = 1\.0` above/, advice);
  assert.doesNotMatch(advice, /const/);
  const ts = hover('const y = Math.tanh(w * x);\n', 'typescript', 'w *');
  assert.match(ts?.lines.find((l) => l.startsWith('No value known')) ?? '', /`const w = 1`/);
});

test("a micrograd file: Value(2.0) is a literal value, so the hover says where the number is taken (not 'at ;')", () => {
  const text = "from micrograd.engine import Value\na = Value(2.0)\nb = Value(-3.0, label='b')\nc = a * b + a\n";
  const shown = hover(text, 'python', 'a * b');
  const line = shown?.lines.find((l) => l.startsWith('= **')) ?? '';
  assert.equal(line, "= **-2** at a = 2 (line 2: a = Value(2.0)), b = -3 (line 3: b = Value(-3.0, label='b')); c = -4");
  assert.doesNotMatch(shown?.lines.join('\n') ?? '', / at ;/);
});

test("sympy's Function('g'): the hover gives its rule, and no NaN for values that go through it", () => {
  const text = "from sympy import symbols, Function\nx = symbols('x')\nx = 2.0\ng = Function('g')(x)\ny = g * x\n";
  assert.match(hover(text, 'python', "Function('g')")?.lines[0] ?? '', /^\*\*Function\*\* — local derivative: `d\/du f\(u\) = f′\(u\)/);
  const byG = hover(text, 'python', 'g * x')?.lines ?? [];
  assert.equal(byG[0], '**∂y/∂g** = `x`');
  assert.equal(byG[1], '= **2** at x = 2 (line 3: x = 2.0)');
  assert.doesNotMatch([...byG, ...(hover(text, 'python', 'x\n')?.lines ?? [])].join('\n'), /NaN/);
});
