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
