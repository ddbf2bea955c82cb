/**
 * Property tests: generated programs written in the new forms (micrograd, tensor methods, torch.nn.functional,
 * NumPy constructors, micrograd labels) have the gradients of the same program in forms read before.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { analyze, type Analysis } from '../../src/engine/analyze';
import { close } from './helpers';

function run(text: string): Analysis {
  const r = analyze(text, { lang: 'python', gradCheck: false });
  if (!r.ok) assert.fail(`expected a trace of\n${text}\ngot ${r.error.format()}`);
  return r.value;
}
function sameGradients(a: Analysis, b: Analysis, rel = 1e-12): void {
  close(a.value, b.value, rel, 'value');
  assert.deepEqual(Object.keys(a.gradients).sort(), Object.keys(b.gradients).sort());
  for (const name of Object.keys(b.gradients)) close(a.gradients[name], b.gradients[name], rel, name);
}

type Tree =
  | { kind: 'leaf'; name: string }
  | { kind: 'num'; value: number }
  | { kind: 'bin'; op: '+' | '-' | '*'; left: Tree; right: Tree }
  | { kind: 'scale'; op: '+' | '*' | '/'; k: number; arg: Tree; reflected: boolean } // 2 * x, x / 2.0, 10.0 / x
  | { kind: 'pow'; k: 2 | 3; arg: Tree }
  | { kind: 'fn'; fn: 'relu' | 'tanh' | 'sigmoid' | 'exp' | 'neg'; arg: Tree };

const INPUTS = ['a', 'b', 'c'];
const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...INPUTS).map((name): Tree => ({ kind: 'leaf', name })),
    fc.record({ kind: fc.constant('bin' as const), op: fc.constantFrom('+' as const, '-' as const, '*' as const), left: tie('tree'), right: tie('tree') }),
    fc.record({ kind: fc.constant('scale' as const), op: fc.constantFrom('+' as const, '*' as const, '/' as const), k: fc.constantFrom(2, 0.5, 10, 1.5), arg: tie('tree'), reflected: fc.boolean() }),
    fc.record({ kind: fc.constant('pow' as const), k: fc.constantFrom(2 as const, 3 as const), arg: tie('tree') }),
    fc.record({ kind: fc.constant('fn' as const), fn: fc.constantFrom('relu' as const, 'tanh' as const, 'sigmoid' as const, 'exp' as const, 'neg' as const), arg: tie('tree') }),
  ),
})).tree;
const values = fc.tuple(...INPUTS.map(() => fc.double({ min: -2, max: 2, noNaN: true })));

/** `x / k` with x a value; the reflected `k / x` would divide by values near 0, so it divides by 1 + x². */
function printTree(t: Tree, style: 'micrograd' | 'torch' | 'baseline'): string {
  const p = (x: Tree) => printTree(x, style);
  switch (t.kind) {
    case 'leaf': return t.name;
    case 'num': return String(t.value);
    case 'bin': return `(${p(t.left)} ${t.op} ${p(t.right)})`;
    case 'scale':
      if (t.op === '/') return t.reflected ? `(${t.k} / (1 + ${p(t.arg)} ** 2))` : `(${p(t.arg)} / ${t.k})`;
      return t.reflected ? `(${t.k} ${t.op} ${p(t.arg)})` : `(${p(t.arg)} ${t.op} ${t.k})`;
    case 'pow':
      return style === 'torch' ? `${p(t.arg)}.pow(${t.k})` : `(${p(t.arg)} ** ${t.k})`;
    case 'fn': {
      const arg = p(t.arg);
      if (t.fn === 'neg') return style === 'torch' ? `${arg}.neg()` : `(-${arg})`;
      if (style === 'micrograd') return `${arg}.${t.fn}()`;
      if (style === 'torch') {
        // Mix the ways PyTorch code writes them: methods, torch. functions and F. functions.
        return { relu: `F.relu(${arg})`, tanh: `torch.tanh(${arg})`, sigmoid: `${arg}.sigmoid()`, exp: `${arg}.exp()` }[t.fn];
      }
      return { relu: `torch.relu(${arg})`, tanh: `np.tanh(${arg})`, sigmoid: `torch.sigmoid(${arg})`, exp: `np.exp(${arg})` }[t.fn];
    }
  }
}

test('micrograd programs (Value, methods, reflected operations, +=) have the gradients of the plain-Python program', () => {
  fc.assert(fc.property(tree, tree, values, fc.constantFrom('+=', '*=', '-='), (first, second, xs, aug) => {
    const leaves = INPUTS.map((n, k) => `${n} = Value(${xs[k]})`).join('\n');
    const micrograd = `from micrograd.engine import Value\n${leaves}\nout = ${printTree(first, 'micrograd')}\nout ${aug} ${printTree(second, 'micrograd')}\nout.backward()\n`;
    const plain = `${INPUTS.map((n, k) => `${n} = ${xs[k]}`).join('\n')}\nout = ${printTree(first, 'baseline')}\nout = out ${aug[0]} (${printTree(second, 'baseline')})\n`;
    sameGradients(run(micrograd), run(plain));
  }), { numRuns: 150 });
});

test('PyTorch programs (torch.tensor, tensor methods, F. functions, .backward()) have the gradients of the torch.-function program', () => {
  fc.assert(fc.property(tree, values, (t, xs) => {
    const leaves = INPUTS.map((n, k) => `${n} = torch.tensor([${xs[k]}], requires_grad=True)`).join('\n');
    const torch = `import torch\nimport torch.nn.functional as F\n${leaves}\nout = ${printTree(t, 'torch')}\nout.backward()\nprint(a.grad)\n`;
    const plain = `${INPUTS.map((n, k) => `${n} = ${xs[k]}`).join('\n')}\n${printTree(t, 'baseline')}\n`;
    sameGradients(run(torch), run(plain));
  }), { numRuns: 150 });
});

test('micrograd labels, colliding with other names or not, never change a gradient', () => {
  const program = fc.array(fc.record({
    op: fc.constantFrom('+', '*', '-', 'tanh', 'relu'),
    left: fc.nat(), right: fc.nat(),
    label: fc.option(fc.constantFrom('a', 'b', 't0', 't1', 'out', 'n', 'x*y'), { nil: undefined }),
  }), { minLength: 1, maxLength: 8 });
  fc.assert(fc.property(program, values, (steps, xs) => {
    const names = [...INPUTS];
    const labelled: string[] = INPUTS.map((n, k) => `${n} = Value(${xs[k]}, label='${n}')`);
    const plain: string[] = INPUTS.map((n, k) => `${n} = Value(${xs[k]})`);
    steps.forEach((s, k) => {
      const l = names[s.left % names.length];
      const r = names[s.right % names.length];
      const rhs = s.op === 'tanh' || s.op === 'relu' ? `${l}.${s.op}()` : `${l} ${s.op} ${r}`;
      const name = `t${k}`;
      labelled.push(`${name} = ${rhs}${s.label ? `; ${name}.label = '${s.label}'` : ''}`);
      plain.push(`${name} = ${rhs}`);
      names.push(name);
    });
    const out = names[names.length - 1];
    const a = run(`${labelled.join('\n')}\n${out}.backward()\n`);
    const b = run(`${plain.join('\n')}\n${out}.backward()\n`);
    sameGradients(a, b);
  }), { numRuns: 200 });
});

const probabilities = (n: number) => fc.array(fc.double({ min: 0.05, max: 0.95, noNaN: true }), { minLength: n, maxLength: n });
const labels = (n: number) => fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n });
const list = (xs: number[]) => `[${xs.map((x) => x.toFixed(17)).join(', ')}]`;

test('F.binary_cross_entropy, F.mse_loss and F.binary_cross_entropy_with_logits equal their formulas written in NumPy', () => {
  const cases = fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(probabilities(n), labels(n), fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n, maxLength: n })));
  fc.assert(fc.property(cases, ([ps, ys, zs]) => {
    const setup = `import torch\nimport numpy as np\nimport torch.nn.functional as F\np = torch.tensor(${list(ps)}, requires_grad=True)\ny = torch.tensor(${list(ys)})\nz = torch.tensor(${list(zs)}, requires_grad=True)\n`;
    sameGradients(run(`${setup}L = F.binary_cross_entropy(p, y) + 0 * z.sum()`), run(`${setup}L = np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))) + 0 * z.sum()`));
    sameGradients(run(`${setup}L = F.mse_loss(p, z)`), run(`${setup}L = ((p - z) ** 2).mean()`));
    // The logits loss is written in its stable softplus form, so it equals the σ form up to rounding.
    sameGradients(run(`${setup}L = F.binary_cross_entropy_with_logits(z, y) + 0 * p.sum()`),
      run(`${setup}L = np.mean(-(y * np.log(torch.sigmoid(z)) + (1 - y) * np.log(1 - torch.sigmoid(z)))) + 0 * p.sum()`), 1e-9);
  }), { numRuns: 60 });
});

test('np.zeros / np.ones / np.full / np.eye / *_like equal the same literal written out with np.array', () => {
  const shapes = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }));
  const cases = shapes.chain(([r, c]) => fc.tuple(fc.constant([r, c] as const),
    fc.constantFrom('zeros', 'ones', 'full', 'eye', 'zeros_like', 'ones_like'), fc.double({ min: -2, max: 2, noNaN: true }),
    fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: r * c, maxLength: r * c })));
  fc.assert(fc.property(cases, ([[r, c], kind, fill, entries]) => {
    const rows = (f: (i: number, j: number) => number) => `[${Array.from({ length: r }, (_, i) => `[${Array.from({ length: c }, (_, j) => f(i, j).toFixed(17)).join(', ')}]`).join(', ')}]`;
    const W = `W = np.array(${rows((i, j) => entries[i * c + j])})\n`;
    const constructed = {
      zeros: `np.zeros((${r}, ${c}))`, ones: `np.ones((${r}, ${c}))`, full: `np.full((${r}, ${c}), ${fill.toFixed(17)})`,
      eye: `np.eye(${r}, ${c})`, zeros_like: 'np.zeros_like(W)', ones_like: 'np.ones_like(W)',
    }[kind];
    const literal = rows((i, j) => ({ zeros: 0, ones: 1, full: Number(fill.toFixed(17)), eye: i === j ? 1 : 0, zeros_like: 0, ones_like: 1 })[kind]);
    const body = 'L = np.sum(np.tanh(W * B + W) * B)\n';
    sameGradients(run(`import numpy as np\n${W}B = ${constructed}\n${body}`), run(`import numpy as np\n${W}B = np.array(${literal})\n${body}`));
  }), { numRuns: 100 });
});
