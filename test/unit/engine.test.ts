import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { evaluatePrinted } from './printed-syntax';
import { analyze } from '../../src/host/engine';
import { OP, OPS, Tape, toMermaid, escapeLabel, formatNumber, parseMath, buildGraph, trace } from '../../src/engine/index';
import { assertGraphInvariants, close } from './helpers';

const VARS = ['x', 'y', 'z'] as const;

/** Random smooth expressions over x, y, z whose values stay in a sane range (domains guarded by construction). */
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...VARS),
    fc.integer({ min: 1, max: 5 }).map(String),
    fc.double({ min: 0.1, max: 3, noNaN: true }).map((d) => d.toFixed(2)),
    fc.tuple(fc.constantFrom('+', '-', '*'), tie('e'), tie('e')).map(([op, a, b]) => `(${a} ${op} ${b})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `(${a}) / ((${b})^2 + 1)`),
    fc.tuple(tie('e'), fc.integer({ min: 2, max: 3 })).map(([a, k]) => `(${a})^${k}`),
    fc.tuple(fc.constantFrom('sin', 'cos', 'tanh', 'atan', 'sigmoid', 'softplus', 'square'), tie('e')).map(([f, a]) => `${f}(${a})`),
    tie('e').map((a) => `sqrt((${a})^2 + 1)`),
    tie('e').map((a) => `log((${a})^2 + 1)`),
    tie('e').map((a) => `exp(-(${a})^2)`),
    tie('e').map((a) => `-(${a})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `hypot(${a}, (${b})^2 + 1)`),
  ),
})).e;

const point = fc.record({
  x: fc.double({ min: -2, max: 2, noNaN: true }),
  y: fc.double({ min: -2, max: 2, noNaN: true }),
  z: fc.double({ min: -2, max: 2, noNaN: true }),
});

describe('property: analytic gradients', () => {
  it('agree with central finite differences and with mathjs derivative (≥ 500 random expressions)', () => {
    let checked = 0;
    fc.assert(
      fc.property(expr, point, (text, at) => {
        const r = analyze(text, { lang: 'math', values: at, symbolic: true });
        if (!r.ok) throw new Error(`${text}: ${r.error.format()}`);
        const a = r.value;
        assertGraphInvariants(a.graph);
        // Keep to well-conditioned points: finite differences lose digits on huge values/curvature.
        fc.pre(Math.abs(a.value) < 1e4 && Object.values(a.gradients).every((g) => Math.abs(g) < 1e4));
        for (const row of a.check!.rows) {
          assert.ok(row.error < 1e-5, `${text} at ${JSON.stringify(at)}: ∂/∂${row.name} analytic ${row.analytic} vs numeric ${row.numeric}`);
        }
        for (const s of a.symbolic!) {
          assert.ok(s.derivative, `${text}: no symbolic derivative for ${s.variable}: ${s.unavailable}`);
          // The printed derivative, read back by the test-only reader of its syntax.
          const expected = evaluatePrinted(s.derivative!, { ...at });
          close(a.gradients[s.variable], expected, 1e-8, `${text} ∂/∂${s.variable}:`);
        }
        checked++;
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 600), seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) },
    );
    assert.ok(checked >= 500, `only ${checked} of 600 runs were well-conditioned`);
  });
});

describe('deep inputs never overflow the stack', () => {
  it('traces a 1,000,000-deep chain programmatically and backpropagates through it', () => {
    const n = 1_000_000;
    const tape = new Tape(3 * n + 4);
    const x = tape.input('x', 0.3);
    const c = tape.constant(0.9);
    const b = tape.constant(0.05);
    let h = x;
    // h ← tanh(0.9·h + 0.05), a million times; the derivative by forward accumulation is the oracle.
    let dh = 1;
    for (let i = 0; i < n; i++) {
      h = tape.apply(OP.tanh, tape.apply(OP.add, tape.apply(OP.mul, h, c), b));
      const t = tape.value[h];
      dh *= 0.9 * (1 - t * t);
    }
    tape.backward(h);
    assert.equal(tape.size, 3 * n + 3);
    close(tape.grad[x], dh, 1e-9);
    assert.ok(Number.isFinite(tape.value[h]));
  });

  it('parses and traces a 20,000-term sum given as text', () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `${(i % 13) + 1} * x${i % 5}`).join(' + ');
    const values = { x0: 1, x1: 2, x2: 3, x3: 4, x4: 5 };
    const r = analyze(text, { lang: 'math', values, gradCheck: true, symbolic: false });
    if (!r.ok) assert.fail(r.error.format());
    const expectGrad = (k: number) => {
      let s = 0;
      for (let i = k; i < 20_000; i += 5) s += (i % 13) + 1;
      return s;
    };
    for (let k = 0; k < 5; k++) assert.equal(r.value.gradients[`x${k}`], expectGrad(k));
    assert.equal(r.value.value, [0, 1, 2, 3, 4].reduce((acc, k) => acc + expectGrad(k) * (k + 1), 0));
    assertGraphInvariants(r.value.graph);
  });

  it('refuses 100,000 nested parentheses with a clear error instead of crashing', () => {
    const r = analyze('('.repeat(100_000) + 'x' + ')'.repeat(100_000), { lang: 'math', values: { x: 1 } });
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error.format(), /nested too deeply/);
  });
});

describe('tape semantics', () => {
  it('accumulates over fan-out: x*x has two edges whose products sum to 2x', () => {
    const r = analyze('x*x', { values: { x: 3 } });
    if (!r.ok) assert.fail(r.error.format());
    const edges = r.value.graph.edges;
    assert.equal(edges.length, 2);
    assert.deepEqual(edges.map((e) => [e.local, e.product]), [[3, 3], [3, 3]]);
    assert.equal(r.value.gradients.x, 6);
    assertGraphInvariants(r.value.graph);
  });

  it('x/x has gradient 0 from two contributions 1/x and −x/x²', () => {
    const r = analyze('x/x', { values: { x: 4 } });
    if (!r.ok) assert.fail(r.error.format());
    assert.deepEqual(r.value.graph.edges.map((e) => e.product), [0.25, -0.25]);
    assert.equal(r.value.gradients.x, 0);
  });

  it('resets gradients before each backward pass', () => {
    const t = new Tape();
    const x = t.input('x', 2);
    const y = t.apply(OP.mul, x, x);
    t.backward(y);
    t.backward(y);
    assert.equal(t.grad[x], 4);
  });

  it("the README's tape example gives the seed's 125 and 300", () => {
    const t = new Tape();
    const x = t.input('x', 2);
    const f = t.pow(t.add(t.mul(x, x), t.constant(1)), t.constant(3));
    t.backward(f);
    assert.equal(t.value[f], 125);
    assert.equal(t.grad[x], 300);
  });

  it('the per-op builders (tape.mul, tape.tanh, …) append exactly what apply() does, with the same gradients', () => {
    const binary = ['add', 'sub', 'mul', 'div', 'pow'] as const;
    const unary = ['neg', 'tanh', 'exp', 'log', 'sigmoid', 'relu', 'sin', 'cos'] as const;
    // Capacity 4 on purpose: the builders must read their inputs' values before the arrays grow.
    const viaApply = new Tape(4), viaBuilders = new Tape(4);
    let a0 = -1, a1 = -1;
    for (const t of [viaApply, viaBuilders]) {
      const x = t.input('x', 0.7), y = t.input('y', 1.3), two = t.constant(2);
      let acc = t === viaApply ? t.apply(OP.mul, x, y) : t.mul(x, y);
      for (const name of binary) acc = t === viaApply ? t.apply(OP[name], acc, name === 'pow' ? two : y) : t[name](acc, name === 'pow' ? two : y);
      for (const name of unary) {
        const arg = name === 'log' ? (t === viaApply ? t.apply(OP.exp, acc) : t.exp(acc)) : acc;
        acc = t === viaApply ? t.apply(OP[name], arg) : t[name](arg);
      }
      t.backward(acc);
      if (t === viaApply) a0 = acc; else a1 = acc;
    }
    assert.equal(a1, a0);
    assert.equal(viaBuilders.size, viaApply.size);
    for (const k of ['op', 'in0', 'in1', 'value', 'grad'] as const) {
      assert.deepEqual([...viaBuilders[k].subarray(0, viaBuilders.size)], [...viaApply[k].subarray(0, viaApply.size)], k);
    }
    const ops = new Set([...viaBuilders.op.subarray(0, viaBuilders.size)].map((o) => OPS[o].name));
    for (const name of [...binary, ...unary]) assert.ok(ops.has(name), `${name} is on the tape`);
    assert.ok(viaBuilders.grad[0] !== 0 && Number.isFinite(viaBuilders.grad[0]), 'x has a finite, nonzero gradient');
  });

  it('gives constants no gradient unless asked, and then exactly the sum over their edges', () => {
    const t = new Tape();
    const x = t.input('x', 3);
    const two = t.constant(2);
    const k = t.constant(5);
    const y = t.apply(OP.mul, t.apply(OP.pow, x, two), k); // 5·x²
    t.backward(y);
    assert.equal(t.grad[x], 30);
    assert.equal(t.grad[two], 0);
    assert.equal(t.grad[k], 0);
    t.backward(y, { constants: true });
    assert.equal(t.grad[x], 30, 'inputs are unchanged by the option');
    assert.equal(t.grad[k], 9);
    assert.equal(t.grad[two], 0, "a constant exponent's aᵇ·ln a is never computed, even with constants: true");
    t.backward(y);
    assert.equal(t.grad[k], 0, 'reset again by the next pass');
  });

  it('never computes aᵇ·ln a for a literal exponent, so a negative base gives no NaN (day 05: ½(y − target)²)', () => {
    // The tape: (−2)² with constants: true, and local() as the graph uses it.
    const t = new Tape();
    const base = t.input('d', -2);
    const two = t.constant(2);
    const sq = t.pow(base, two);
    t.backward(sq, { constants: true });
    assert.equal(t.grad[base], -4);
    assert.equal(t.grad[two], 0);
    assert.deepEqual(t.local(sq), [-4, 0]);
    // A variable exponent still gets its partial (and NaN where it is NaN, with a warning on the node).
    const v = new Tape();
    const vb = v.input('d', -2), ve = v.input('k', 2);
    const vp = v.pow(vb, ve);
    v.backward(vp);
    assert.ok(Number.isNaN(v.grad[ve]));
    // The graph: the lesson's loss, at a point where y − target < 0.
    const r = analyze('0.5 * (y - target)^2', { values: { y: -0.6669236856097243, target: 0.5 } });
    if (!r.ok) assert.fail(r.error.format());
    const g = r.value.graph;
    assertGraphInvariants(g);
    const exponent = g.nodes.find((n) => n.kind === 'const' && n.value === 2)!;
    assert.equal(exponent.noGrad, true);
    assert.equal(exponent.grad, 0);
    for (const n of g.nodes) assert.ok(Number.isFinite(n.grad) && Number.isFinite(n.value), `${n.id} is finite`);
    for (const e of g.edges) assert.ok(Number.isFinite(e.local) && Number.isFinite(e.product), `${e.from}→${e.to} is finite`);
    assert.deepEqual(g.warnings, []);
    const m = toMermaid(g, { constants: 'nodes', constantGrads: true });
    assert.doesNotMatch(m, /NaN|∞/);
    assert.match(m, new RegExp(`^  ${exponent.id}\\["2<br/>value 2"\\]$`, 'm'), 'the exponent node has no grad line, even with constantGrads');
    assert.match(m, new RegExp(`^  ${exponent.id} --> `, 'm'), 'and its edge no local derivative');
  });

  it('reads -3 as one literal, not neg(3)', () => {
    const r = analyze('x^-1 * -3', { values: { x: 2 } });
    if (!r.ok) assert.fail(r.error.format());
    assert.deepEqual(r.value.graph.nodes.filter((n) => n.kind === 'const').map((n) => n.value), [-1, -3]);
    assert.equal(r.value.graph.nodes.filter((n) => n.op === 'neg').length, 0);
    assert.equal(r.value.gradients.x, 0.75);
    assert.match(toMermaid(r.value.graph), /"x#8315;¹·#40;−3#41;<br\/>value -1\.5/);
  });

  it("each op's localA/localB agree with central differences of its forward", () => {
    const points: Record<number, [number, number]> = { 1: [0.7, 0], 2: [0.7, 1.9] };
    const h = 1e-6;
    for (const s of OPS) {
      if (s.arity === 0) continue;
      const [a, b] = points[s.arity];
      const out = s.forward(a, b);
      close(s.localA(a, b, out), (s.forward(a + h, b) - s.forward(a - h, b)) / (2 * h), 1e-6, `${s.name} ∂/∂a`);
      if (s.arity === 2) close(s.localB(a, b, out), (s.forward(a, b + h) - s.forward(a, b - h)) / (2 * h), 1e-6, `${s.name} ∂/∂b`);
      else assert.equal(s.localB(a, b, out), 0, `${s.name} is unary`);
    }
  });

  it('follows the stated conventions at non-differentiable points, and flags them', () => {
    const cases: [string, Record<string, number>, Record<string, number>][] = [
      ['relu(x)', { x: 0 }, { x: 0 }],
      ['abs(x)', { x: 0 }, { x: 0 }],
      ['max(x, y)', { x: 1, y: 1 }, { x: 1, y: 0 }],
      ['min(x, y)', { x: 1, y: 1 }, { x: 1, y: 0 }],
    ];
    for (const [text, at, grads] of cases) {
      const r = analyze(text, { values: at });
      if (!r.ok) assert.fail(r.error.format());
      assert.deepEqual(r.value.gradients, grads, text);
      const op = r.value.graph.nodes.find((n) => n.kind === 'op')!;
      assert.ok(op.warnings?.some((w) => /not differentiable|tie/.test(w)), `${text} is flagged`);
    }
  });

  it('carries NaN and ±Infinity as warnings, never as a crash', () => {
    for (const [text, at, pattern] of [
      ['log(x)', { x: -1 }, /log of a negative number/],
      ['1/x', { x: 0 }, /division by zero/],
      ['sqrt(x)', { x: -4 }, /square root of a negative/],
      ['log(x)', { x: 0 }, /log of 0/],
    ] as const) {
      const r = analyze(text, { values: at });
      if (!r.ok) assert.fail(r.error.format());
      assert.ok(r.value.graph.warnings.some((w) => pattern.test(w)), `${text}: ${r.value.graph.warnings.join('; ')}`);
    }
  });

  it('supports the documented math functions and constants', () => {
    const cases: [string, number, number][] = [
      ['log(x, 2)', 8, 1 / (8 * Math.LN2)],
      ['log2(x)', 8, 1 / (8 * Math.LN2)],
      ['log10(x)', 100, 1 / (100 * Math.LN10)],
      ['cbrt(x)', 8, 1 / 12],
      ['pow(x, 3)', 2, 12],
      ['square(x)', 3, 6],
      ['sigmoid(x)', 0, 0.25],
      ['softplus(x)', 0, 0.5],
      ['leakyRelu(x)', -2, 0.01],
      ['leakyRelu(x, 0.2)', -2, 0.2],
      ['2x^2', 3, 12],
      ['pi * x + e', 1, Math.PI],
      ['θ^2', 3, 6],
      ['hypot(x, 4)', 3, 0.6],
      ['max(x, 1, 2)', 5, 1],
      ['asin(x) + acos(x) + atan(x)', 0.5, 1 / 1.25],
      ['sinh(x) + cosh(x) + tan(x)', 0, 2],
    ];
    for (const [text, at, grad] of cases) {
      const name = text.includes('θ') ? 'θ' : 'x';
      const r = analyze(text, { lang: 'math', values: { [name]: at } });
      if (!r.ok) assert.fail(`${text}: ${r.error.format()}`);
      close(r.value.gradients[name], grad, 1e-12, text);
      assertGraphInvariants(r.value.graph);
    }
  });
});

describe('math front end errors name the problem and where', () => {
  const cases: [string, RegExp][] = [
    ['x + (', /^1:6: syntax error/],
    ['x + foo(2)', /^1:5: unknown function 'foo'/],
    ['x > 2', /^1:1: unsupported in math: a comparison/],
    ['x == 2 ? 1 : 0', /unsupported in math/],
    ['"str" + x', /unsupported in math: a string/],
    ['f(x) = x^2', /unsupported in math: a function definition/],
    ['[1, 2] + x', /unsupported in math: a matrix or vector|matrix/],
    ['x!', /unsupported in math: operator '!'/],
    ['x % 2', /unsupported in math: operator '%'/],
    ['sin(x, y)', /sin\(\) takes 1 argument, got 2/],
    ['\n\n  y + q', /^3:3: no value for variables 'y', 'q'/],
    ['pi = 3; pi', /assignment to the constant 'pi'/],
    ['', /empty/],
  ];
  for (const [text, pattern] of cases) {
    it(JSON.stringify(text), () => {
      const r = analyze(text, { lang: 'math', values: { x: 1 } });
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error.format(), pattern);
    });
  }
});

describe('spans', () => {
  it('every node of a math expression points at its own source text', () => {
    const text = 'sin(x^2 + 1) * -(y)';
    const program = parseMath(text);
    const graph = buildGraph(trace(program, { x: 1, y: 2 }));
    const slice = (id: string) => { const s = graph.nodes.find((n) => n.id === id)!.span!; return text.slice(s.start, s.end); };
    const bySymbol = (sym: string) => graph.nodes.filter((n) => n.symbol === sym).map((n) => slice(n.id));
    assert.deepEqual(bySymbol('sin'), ['sin(x^2 + 1)']);
    assert.deepEqual(bySymbol('^'), ['x^2']);
    assert.deepEqual(bySymbol('+'), ['x^2 + 1']);
    assert.deepEqual(bySymbol('−'), ['-(y)']);
    assert.deepEqual(bySymbol('×'), [text]);
  });
});

describe('Mermaid emitter', () => {
  it('uses generated ids and escapes every label so user text cannot break or inject', () => {
    const hostile = ['end', 'click', 'style', 'graph', 'subgraph', 'classDef'];
    // `end` is reserved in mathjs: build these names through the tape directly.
    const t = new Tape();
    let acc = t.input('end', 1);
    for (const name of [...hostile.slice(1), '"]; click n0 call alert(1) %%', '<img src=x onerror=alert(1)>', 'a|b', 'x#y;z']) {
      acc = t.apply(OP.add, acc, t.input(name, 1));
    }
    t.backward(acc);
    const mermaid = toMermaid(buildGraph({ program: { lang: 'math', params: [], body: [], span: { start: 0, end: 0, line: 1, col: 1 } }, tape: t, output: acc, inputs: [] }));
    const lines = mermaid.trimEnd().split('\n');
    assert.equal(lines[0], 'flowchart LR');
    for (const line of lines.slice(1)) {
      assert.match(line, /^ {2}(n\d+(\(\[|\[|\()"[^"<>]*(<br\/>[^"<>]*)*"(\]\)|\]|\))|n\d+ -->\|"[^"|]*"\| n\d+|n\d+ --> n\d+|class (n\d+,)*n\d+ bp[A-Z][a-z]+)$/, line);
    }
    assert.ok(!/^\s*click/m.test(mermaid), 'no click statement');
    assert.equal(escapeLabel('<b>"x"</b>'), '#60;b#62;#34;x#34;#60;#47;b#62;');
    assert.equal(escapeLabel('θ = 1.5'), 'θ = 1.5');
  });

  it('honours direction and significant digits', () => {
    const r = analyze('x / 3', { values: { x: 1 } });
    if (!r.ok) assert.fail(r.error.format());
    const m = toMermaid(r.value.graph, { direction: 'TB', digits: 3 });
    assert.match(m, /^flowchart TB\n/);
    assert.match(m, /value 0\.333</);
    assert.equal(formatNumber(1 / 3, 6), '0.333333');
    assert.equal(formatNumber(1e-7, 3), '1e-7');
    assert.equal(formatNumber(NaN), 'NaN');
    assert.equal(formatNumber(-Infinity), '−∞');
  });
});

describe('symbolic derivatives', () => {
  it('handles the deep-learning staples and says so when it cannot', () => {
    const s = analyze('sigmoid(x)', { values: { x: 0 }, symbolic: true });
    if (!s.ok) assert.fail(s.error.format());
    assert.ok(s.value.symbolic![0].derivative);
    close(evaluatePrinted(s.value.symbolic![0].derivative!, { x: 0.3 }), (1 / (1 + Math.exp(-0.3))) * (1 - 1 / (1 + Math.exp(-0.3))), 1e-12);
    // Kinks are conditions, not "no symbolic derivative".
    const r = analyze('relu(x) * 2', { values: { x: 1 }, symbolic: true });
    if (!r.ok) assert.fail(r.error.format());
    assert.equal(r.value.symbolic![0].derivative, '2·(x > 0 ? 1 : 0)');
    assert.equal(r.value.gradients.x, 2);
  });
});
