/** What lesson Python is refused, in Python's terms: the construct, its line:col, and what to write instead. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { analyze } from '../../src/engine/analyze';
import { BackpropError } from '../../src/engine/base/errors';

const refusal = (text: string, values: Record<string, number> = {}) => {
  const r = analyze(text, { lang: 'python', values });
  assert.ok(!r.ok, `expected a refusal for ${JSON.stringify(text)}`);
  return r.error;
};

test('each construct left out is refused, naming it and its line:col', () => {
  const cases: [string, RegExp, string][] = [
    // Random numbers: never run, so the values must be written.
    ['import numpy as np\nW1 = np.random.randn(2, 3)', /np\.random\.randn\(\.\.\.\): draws random numbers.*write the values out/, '2:6'],
    ['np.random.seed(0)', /np\.random\.seed\(\.\.\.\): draws random numbers/, '1:1'],
    ['x = torch.randn(3, requires_grad=True)', /torch\.randn\(\.\.\.\): draws random numbers.*write the values out/, '1:5'],
    ['import random\nw = random.uniform(-1, 1)', /random\.uniform\(\.\.\.\): draws random numbers/, '2:5'],
    // sympy's undefined functions and derivatives used as values.
    ["from sympy import symbols, Function\nx = symbols('x')\ng = Function('g')", /Function\('g'\) not applied to its argument/, '3:5'],
    ["from sympy import symbols, diff, sin\nx = symbols('x')\nd = diff(sin(x), x) * 2", /diff\(\.\.\.\) inside an expression/, '3:5'],
    ["from sympy import symbols, diff, sin\nx = symbols('x')\nd = diff(sin(x), x, 2)", /higher derivatives are not supported/, '3:5'],
    ["from sympy import symbols, diff, sin\nx = symbols('x')\nd = diff(sin(x), x)\ne = d + 1", /symbolic derivative of 'sin\(x\)'/, '4:5'],
    ["from sympy import symbols, diff\nx = symbols('x')\nd = diff(x ** 2, 3)", /differentiate by a symbol/, '3:18'],
    ["from sympy import *\nx = symbols('x')", /'from sympy import \*'/, '1:19'],
    ["from sympy import symbols\nf = symbols('x')**2\nf.subs(x, 2)", /symbols\(\.\.\.\) inside an expression/, '2:5'],
    ['import numpy as np\nnp = 3', /assignment to 'np' \(a module\)/, '2:1'],
    ['from sympy import diff\ndiff = 2', /assignment to 'diff' \(a function\)/, '2:1'],
    // One axis at a time, written as a whole number, inside the array's shape.
    ['import numpy as np\nX = np.ones((2, 3))\ns = np.sum(X, axis=(0, 1))', /keyword argument 'axis=' of np\.sum\(\) with a value that is not a constant/, '3:15'],
    ['X = torch.ones(2, 3)\ns = X.mean(dim=2)', /mean\(dim=2\): axis 2 is out of range/, '2:5'],
    // Layers with random weights.
    ['from micrograd.nn import MLP\nmodel = MLP(3, [4, 4, 1])', /MLP\(\.\.\.\): builds neurons with random weights/, '2:9'],
    ['import torch.nn as nn\nlayer = nn.Linear(2, 3)', /nn\.Linear\(\.\.\.\): builds layers with random weights/, '2:9'],
    // Training steps and gradients set by hand.
    ['a = Value(2.0)\na.grad = 1.0', /setting 'a\.grad' by hand/, '2:1'],
    ['p = Value(2.0)\np.data += -0.01 * p.grad', /changing 'p\.data' \(a training step/, '2:1'],
    ['x = torch.tensor(2.0)\ny = x.detach() * 2', /\.detach\(\) cuts the value out of the graph/, '2:7'],
    ['x = torch.tensor(2.0)\ny = x * 2\ny.backward(torch.ones(1))', /backward\(gradient\)/, '3:12'],
    ['x = torch.tensor(2.0)\ny = x * x.grad', /attribute access '\.grad' in a calculation/, '2:10'],
    // Imports of unknown modules and names.
    ['import pandas as pd', /the import 'import pandas as pd' \(known modules: math, numpy, torch/, '1:1'],
    ['from torch import sigmod', /cannot import 'sigmod' from torch \(did you mean sigmoid\?\)/, '1:19'],
    ['from micrograd.engin import Value', /did you mean micrograd\.engine\?/, '1:1'],
    // Shapes that are not written out.
    ['import numpy as np\nb = np.zeros_like(h)', /the shape of 'h' is not known here/, '2:19'],
    ['import numpy as np\nb = np.zeros((2, 2, 2))', /3 dimensions/, '2:5'],
    ['import numpy as np\nb = np.zeros((n, 2))', /a size that is not a whole number written out/, '2:15'],
    // Keyword arguments a function does not have (or values it does not take).
    ['import torch.nn.functional as F\ny = F.leaky_relu(x, negative_slop=0.1)', /keyword argument 'negative_slop=' of F\.leaky_relu\(\) \(did you mean negative_slope=\?\)/, '2:21'],
    ['import torch.nn.functional as F\ny = F.softplus(x, beta=2)', /only beta=1 is supported/, '2:19'],
    ['y = torch.clamp(x, min=lo)', /not a number written out|not a constant/, '1:20'],
    ["x = Value(2.0, label=3)", /label that is not a string/, '1:16'],
    ["y.label = 'y'", /'y' is not a value assigned above/, '1:1'],
    ['x = Value(2.0)\ndot = draw_dot(x)\ny = dot * 2', /the drawing draw_dot made/, '3:5'],
  ];
  for (const [text, message, where] of cases) {
    const e = refusal(text, { x: 1, lo: 0 });
    assert.match(e.message, message, `${JSON.stringify(text)}: ${e.message}`);
    assert.ok(e.format().startsWith(where), `${JSON.stringify(text)}: expected position ${where}, got ${e.format()}`);
    assert.doesNotMatch(e.message, /\bconst\b|Math\./, 'the message is in Python terms');
  }
});

test('unknown names suggest the nearest supported one', () => {
  const cases: [string, RegExp][] = [
    ['y = torch.sigmod(x)', /unknown function 'torch\.sigmod' \(did you mean torch\.sigmoid\?\)/],
    ['y = np.maximun(x, 0)', /did you mean np\.maximum\?/],
    ['import torch.nn.functional as F\ny = F.rleu(x)', /did you mean F\.relu\?/],
    ['import torch.nn.functional as F\ny = F.binary_crossentropy(x, x)', /did you mean F\.binary_cross_entropy\?/],
    ['y = x.sigmod()', /unknown method '\.sigmod\(\)' \(did you mean \.sigmoid\(\)\?\)/],
    ['y = x.rellu()', /did you mean \.relu\(\)\?/],
    ['from sympy import symbols, sin\nx = symbols(\'x\')\ny = sinn(x)', /a call to 'sinn' \(did you mean sin\?\)/],
    ['y = math.sine(x)', /did you mean math\.sin\?/],
  ];
  for (const [text, message] of cases) assert.match(refusal(text, { x: 1 }).message, message, text);
  // Nothing near: the message says what is traced instead.
  assert.match(refusal('y = frobnicate(x)', { x: 1 }).message, /a call to 'frobnicate' \(traced: math\., np\., torch\./);
});

test('token soup of the new forms gives a value or a BackpropError, never a crash', () => {
  const pieces = ['x', 'a', 'Value', '(', ')', '[', ']', ',', '.', '=', '+=', '*', '**', '-', '2.0', '0', "'x'", 'label', 'relu', 'backward',
    'np', 'torch', 'F', 'zeros', 'zeros_like', 'full', 'eye', '\n', ';', 'diff', 'symbols', 'sympy', 'import', 'from', 'as', 'draw_dot', 'dot',
    'render', 'grad', 'data', 'requires_grad', 'True', 'min', 'clamp', 'sum', 'axis', 'T', 'mse_loss', 'nn', 'functional', 'print', 'Function', 'item'];
  fc.assert(fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }), (parts) => {
    const r = analyze(parts.join(' ').replace(/ \n /g, '\n'), { lang: 'python', values: { x: 1, a: 2 }, gradCheck: false });
    if (!r.ok) assert.ok(r.error instanceof BackpropError);
  }), { numRuns: 3000 });
  assert.match(refusal('= x').message, /nothing before '='/);
});

test('names known without an import (F, sp, diff, sin) are the user\'s to take by assignment', () => {
  const r = analyze('F = m * a\ndiff = F - 1\nsin = diff * 2\nsin', { lang: 'python', values: { m: 2, a: 3 } });
  assert.ok(r.ok, r.ok ? '' : r.error.format());
  assert.equal(r.value.value, 10);
  // Without the import lines (a selection composed from its assignments), the usual aliases still read.
  const s = analyze("x = symbols('x')\nf = sp.sin(x) * F.relu(x)\ndiff(f, x)", { lang: 'python', values: { x: 2 } });
  assert.ok(s.ok, s.ok ? '' : s.error.format());
  assert.equal(s.value.program.wrt?.name, 'x');
});
