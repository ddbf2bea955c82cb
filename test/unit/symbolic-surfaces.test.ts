/**
 * One symbolic derivative everywhere: for one expression per op family, the CLI (dist/cli.js, as a user runs it),
 * the hover (DerivativeHoverProvider with the stub `vscode`) and the panel payload (traceTarget → payload.symbolic)
 * print the same text; the edges carry their local formulas; the hover sees the panel's values, notebook cells
 * included.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { log, memento, stubDoc, stubState, type StubDoc } from './vscode-stub';
import { analyze } from '../../src/host/engine';

const hoverModule = import('../../src/vscode/hover');
const tracerModule = import('../../src/vscode/tracer');
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

before(() => assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`));

interface Family { family: string; lang: 'math' | 'ts'; values: Record<string, number>; expr: string; variable: string; derivative: string }
const FAMILIES: Family[] = [
  { family: 'tanh', lang: 'ts', values: { w1: 1.2, x: 1 }, expr: 'Math.tanh(w1 * x)', variable: 'w1', derivative: 'x·(1 − tanh²(w1·x))' },
  { family: 'sigmoid', lang: 'math', values: { w: 0.5, x: 2, b: -1 }, expr: 'sigmoid(w*x + b)', variable: 'w', derivative: 'x·σ(w·x + b)·(1 − σ(w·x + b))' },
  { family: 'relu', lang: 'math', values: { w: 0.5, x: 2, b: -1 }, expr: 'relu(w*x + b)', variable: 'w', derivative: 'x·(w·x + b > 0 ? 1 : 0)' },
  { family: 'log', lang: 'math', values: { x: 2 }, expr: 'log(x^2 + 1)', variable: 'x', derivative: '2x/(x² + 1)' },
  { family: 'pow', lang: 'math', values: { x: 2 }, expr: '(x^2+1)^3', variable: 'x', derivative: '6x·(x² + 1)²' },
  { family: 'division', lang: 'math', values: { x: 2, y: 3 }, expr: 'x / y', variable: 'y', derivative: '−x/y²' },
  {
    family: '2-layer net', lang: 'ts', values: { w1: 0.5, x: 1, b1: 0.1, w2: -0.3, b2: 0.2, t: 1 },
    expr: '0.5 * (w2 * Math.tanh(w1 * x + b1) + b2 - t) ** 2', variable: 'w1',
    derivative: 'w2·x·(1 − tanh²(w1·x + b1))·(w2·tanh(w1·x + b1) + b2 − t)',
  },
];

/** A lesson document declaring the values and then `z = expr` (a math fence, or TypeScript). */
function lessonFor(f: Family): { doc: StubDoc; start: number; end: number } {
  const path = `/virtual/lessons/${f.family.replace(/\W/g, '-')}.${f.lang === 'ts' ? 'ts' : 'md'}`;
  const decl = Object.entries(f.values).map(([k, v]) => (f.lang === 'ts' ? `const ${k} = ${v};` : `${k} = ${v}`));
  const line = f.lang === 'ts' ? `const z = ${f.expr};` : `z = ${f.expr}`;
  const text = f.lang === 'ts' ? `${decl.join('\n')}\n${line}\n` : `# ${f.family}\n\n\`\`\`math\n${decl.join('\n')}\n${line}\n\`\`\`\n`;
  const doc = stubDoc(text, f.lang === 'ts' ? 'typescript' : 'markdown', path);
  stubState.docs.set(doc.uri.toString(), doc);
  const start = text.indexOf(line);
  return { doc, start, end: start + line.length - (f.lang === 'ts' ? 1 : 0) };
}

async function hoverAt(doc: StubDoc, offset: number): Promise<string | undefined> {
  const { DerivativeHoverProvider } = await hoverModule;
  const provider = new DerivativeHoverProvider({ log: log as never, state: memento() as never });
  const h = provider.provideHover(doc as never, doc.positionAt(offset) as never, { isCancellationRequested: false } as never) as { contents: { value: string } } | undefined;
  return h?.contents.value;
}

test('CLI, hover and panel print the same derivative for each op family', async () => {
  const { traceTarget } = await tracerModule;
  for (const f of FAMILIES) {
    const at = Object.entries(f.values).map(([k, v]) => `${k}=${v}`).join(',');
    const r = spawnSync(process.execPath, [CLI, f.expr, '--lang', f.lang, '--at', at], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const cli = new RegExp(`^  ∂/∂${f.variable} = (.+)$`, 'm').exec(r.stdout)?.[1];

    const { doc, start, end } = lessonFor(f);
    const text = doc.getText();
    const hovered = await hoverAt(doc, text.indexOf(f.variable, text.indexOf('z = ') + 4));
    const hover = new RegExp(`\\*\\*∂z/∂${f.variable}\\*\\* = \`([^\`]+)\``).exec(hovered ?? '')?.[1];

    const outcome = await traceTarget({ uri: doc.uri as never, start, end }, { interactive: false }, { log: log as never, state: memento() as never });
    assert.ok(outcome.ok, JSON.stringify(outcome));
    const panel = outcome.payload.symbolic?.find((s) => s.variable === f.variable)?.derivative;

    assert.deepEqual({ cli, hover, panel }, { cli: f.derivative, hover: f.derivative, panel: f.derivative }, f.family);
  }
});

test('the 2-layer net written as three statements gives the same text as the one-line form', () => {
  const r = analyze('const h = Math.tanh(w1 * x + b1);\nconst y = w2 * h + b2;\nconst L = 0.5 * (y - t) ** 2;', { lang: 'ts', values: FAMILIES[6].values, symbolic: true });
  assert.ok(r.ok);
  assert.equal(r.value.symbolic!.find((s) => s.variable === 'w1')!.derivative, FAMILIES[6].derivative);
});

/** Edge formulas by (from name or text, to name or op), from the analysis of `text`. */
function formulas(text: string, lang: 'math' | 'ts', values: Record<string, number>): Map<string, string | undefined> {
  const r = analyze(text, { lang, values });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  const { nodes, edges } = r.value.graph;
  const label = (id: string) => { const n = nodes.find((m) => m.id === id)!; return n.name ?? (n.kind === 'const' ? String(n.value) : n.op); };
  const out = new Map<string, string | undefined>();
  for (const e of edges) out.set(`${label(e.from)}→${label(e.to)}${e.arg ? '#1' : ''}`, e.localFormula);
  return out;
}

test('edges carry their local derivative as a formula in the input\'s names', () => {
  const seed = formulas('(x^2+1)^3', 'math', { x: 2 });
  assert.equal(seed.get('x→pow'), '2x');
  assert.equal(seed.get('add→pow'), '3·(x² + 1)²');
  assert.equal(seed.get('pow→add'), '1');
  const named = formulas('const v = x + 1;\nconst u = v ** 3;\nconst h = Math.tanh(u);\nconst s = 1 / (1 + Math.exp(-h));\nconst q = h - s * w;\nq', 'ts', { x: 0.1, w: 2 });
  assert.equal(named.get('v→u'), '3v²');
  assert.equal(named.get('u→h'), '1 − h²');
  assert.equal(named.get('h→q'), '1');
  assert.equal(named.get('mul→q#1'), '−1');
  assert.equal(named.get('s→mul'), 'w');
  assert.equal(named.get('w→mul#1'), 's');
  const sig = formulas('const s = sigmoid(z);\ns * 2', 'ts', { z: 0.3 });
  assert.equal(sig.get('z→s'), 's·(1 − s)');
  // An unnamed operand too long to write: the edge keeps its number only.
  const long = formulas('tanh(alpha * beta + gamma * delta) * 2', 'math', { alpha: 1, beta: 2, gamma: 3, delta: 4 });
  assert.equal(long.get('tanh→mul'), '2');
  assert.equal(long.get('add→tanh'), undefined);
});

test('the hover takes values from earlier notebook cells, as the panel does', async () => {
  // The stub is installed as the 'vscode' module at run time: only require() reaches it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vscode = require('vscode') as { workspace: { notebookDocuments: unknown[] } };
  const cell = (text: string, index: number): StubDoc => {
    const d = stubDoc(text, 'python', `/virtual/nb.ipynb#cell${index}`);
    d.uri = { ...d.uri, scheme: 'vscode-notebook-cell', toString: () => `vscode-notebook-cell:/virtual/nb.ipynb#cell${index}` };
    stubState.docs.set(d.uri.toString(), d);
    return d;
  };
  const first = cell('x = 2.0\n', 0);
  const second = cell('y = x ** 3\n', 1);
  vscode.workspace.notebookDocuments.push({ getCells: () => [{ document: first, index: 0 }, { document: second, index: 1 }] });
  try {
    const hovered = await hoverAt(second, second.getText().indexOf('x **'));
    assert.match(hovered ?? '', /\*\*∂y\/∂x\*\* = `3x²`/);
    assert.match(hovered ?? '', /= \*\*12\*\* at x = 2 \(cell 1, line 1: x = 2\.0\)/);
    const { traceTarget } = await tracerModule;
    const outcome = await traceTarget({ uri: second.uri as never, start: 0, end: second.getText().length - 1 }, { interactive: false }, { log: log as never, state: memento() as never });
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.deepEqual(outcome.payload.inputs.map((i) => [i.name, i.value, i.grad, i.source]), [['x', 2, 12, 'cell 1, line 1: x = 2.0']]);
    assert.equal(outcome.payload.symbolic![0].derivative, '3x²');
  } finally {
    vscode.workspace.notebookDocuments.length = 0;
  }
});
