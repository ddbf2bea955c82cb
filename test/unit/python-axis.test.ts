/** NumPy's `axis=` and torch's `dim=` on sum and mean: the values and gradients by hand, and by finite differences. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, type Analysis } from '../../src/engine/analyze';
import { assertGraphInvariants, close } from './helpers';

function run(text: string, values: Record<string, number | number[] | number[][]> = {}): Analysis {
  const r = analyze(text, { lang: 'python', values });
  if (!r.ok) assert.fail(`expected a trace, got ${r.error.format()}`);
  assertGraphInvariants(r.value.graph);
  return r.value;
}
const refusal = (text: string) => {
  const r = analyze(text, { lang: 'python' });
  assert.ok(!r.ok, `expected a refusal for ${JSON.stringify(text)}`);
  return r.error;
};
/** Every input's gradient agrees with central finite differences. */
const checked = (a: Analysis) => {
  assert.ok(a.check && a.check.rows.length > 0);
  for (const row of a.check.rows) assert.ok(row.ok, `${row.name}: analytic ${row.analytic}, numeric ${row.numeric}`);
};

const A = [[1, 2, 3], [4, 5, 6]];

describe('sum and mean over one axis', () => {
  it('np.sum(A, axis=0) adds down the columns, A.mean(axis=1) averages along the rows, axis=-1 is the last axis', () => {
    const a = run('import numpy as np\nA = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])\nw = np.array([1.0, -1.0, 2.0])\nL = np.sum(np.sum(A, axis=0) * w) + A.mean(axis=1).sum() + np.mean(A, -1).sum()');
    // Column sums [5, 7, 9]·w = 5 − 7 + 18 = 16; row means [2, 5] twice: 7 + 7.
    assert.equal(a.value, 16 + 7 + 7);
    // ∂L/∂A[i,j] = w[j] + 1/3 + 1/3; ∂L/∂w[j] = column sum j.
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) close(a.gradients[`A[${i},${j}]`], [1, -1, 2][j] + 2 / 3);
    assert.deepEqual([a.gradients['w[0]'], a.gradients['w[1]'], a.gradients['w[2]']], [5, 7, 9]);
    checked(a);
    // The tensor view draws each reduction as one node of its result's shape.
    const shapes = Object.fromEntries(a.tensor!.nodes.map((n) => [n.label, n.shape]));
    assert.deepEqual(shapes['sum(axis=0)'], [3]);
    assert.deepEqual(shapes['mean(axis=1)'], [2]);
    assert.deepEqual(shapes['mean(axis=-1)'], [2]);
  });
  it("torch's .sum(dim=1, keepdim=True) keeps a column; .mean(dim=0) and the positional .sum(0)", () => {
    const a = run('import torch\nA = torch.tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)\nc = A.sum(dim=1, keepdim=True)\nL = (c * c).sum() + A.mean(dim=0).sum() + A.sum(0).sum()\nL.backward()');
    // Row sums c = [[3], [8]]: 9 + 64; column means [2, 3.5]: 5.5; column sums [4, 7]: 11.
    assert.equal(a.value, 73 + 5.5 + 11);
    // ∂/∂A[i,j] = 2·c[i] + 1/2 + 1.
    assert.deepEqual([a.gradients['A[0,0]'], a.gradients['A[0,1]'], a.gradients['A[1,0]'], a.gradients['A[1,1]']], [7.5, 7.5, 17.5, 17.5]);
    checked(a);
    assert.deepEqual(a.tensor!.nodes.find((n) => n.label === 'sum(dim=1)')?.shape, [2, 1]);
  });
  it('a vector reduced over axis 0 is one number; keepdims=True keeps it a 1-vector; a column summed over axis 0', () => {
    const v = run('import numpy as np\nx = np.array([2.0, -1.0, 4.0])\nL = x.sum(axis=0) * x.mean(axis=-1)');
    assert.equal(v.value, 5 * (5 / 3));
    close(v.gradients['x[0]'], 5 / 3 + 5 / 3);
    checked(v);
    const keep = run('import numpy as np\nx = np.array([2.0, -1.0])\nL = np.sum(x, axis=0, keepdims=True)');
    assert.equal(keep.value, 1);
    const column = run('import numpy as np\nC = np.array([[1.0], [2.0], [3.0]])\nL = np.sum(C.sum(axis=1) * C.sum(axis=0))');
    // Row sums [1, 2, 3] (one entry each) times the one column sum 6: 36.
    assert.equal(column.value, 36);
    checked(column);
  });
  it('values given with --at go through the same lowering', () => {
    const a = run('import numpy as np\nL = np.sum(np.mean(W, axis=0) ** 2)', { W: A });
    // Column means [2.5, 3.5, 4.5]; ∂/∂W[i,j] = 2·mean_j / 2.
    close(a.value, 2.5 ** 2 + 3.5 ** 2 + 4.5 ** 2);
    close(a.gradients['W[1,2]'], 4.5);
    checked(a);
  });
});

describe('axis refusals, in Python terms with line:col', () => {
  const cases: [string, RegExp, string][] = [
    ['import numpy as np\nx = np.array([1.0, 2.0])\nL = x.sum(axis=2)', /sum\(axis=2\): axis 2 is out of range for a 2-vector/, '3:5'],
    ['import numpy as np\nA = np.ones((2, 3))\nL = np.mean(A, axis=-3).sum()', /axis -3 is out of range for a 2×3|axis -3 is out of range/, '3:5'],
    ['import numpy as np\nx = np.array([1.0, 2.0])\nL = x.sum(axis=(0, 1))', /keyword argument 'axis=' of \.sum\(\) with a value that is not a constant/, '3:11'],
    ['import numpy as np\nx = np.array([1.0, 2.0])\nL = x.sum(axis=0.5)', /axis that is not a whole number/, '3:11'],
    ['import numpy as np\nx = np.array([1.0, 2.0])\nL = np.sum(x, 0, axis=0)', /axis given twice/, '3:18'],
    ['import torch\nx = torch.tensor([1.0, 2.0])\nL = x.sum(dim=0, keepdim=1)', /keepdim=…\) must be True or False/, '3:18'],
    ['import torch\nx = torch.tensor(2.0, requires_grad=True)\nL = x.sum(dim=0)\nL.backward()', /a single number has no axis 0/, '3:5'],
  ];
  for (const [text, message, where] of cases) {
    it(text.split('\n').pop()!, () => {
      const e = refusal(text);
      assert.match(e.message, message, e.message);
      assert.ok(e.format().startsWith(where), `expected ${where}, got ${e.format()}`);
    });
  }
});
