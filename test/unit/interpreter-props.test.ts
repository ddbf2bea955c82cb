/**
 * Property tests of the interpreter: generated TypeScript programs with a loop, a function and a branch against
 * the same computation unrolled by hand into straight-line code (traced by the straight-line tracer, trace.ts,
 * an independent path), and against central finite differences of the program itself.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyze } from '../../src/host/engine';
import { close } from './helpers';

interface Case { x: number; start: number; threshold: number; c1: number; c2: number; ks: number[] }

const small = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
const cases = fc.record({
  x: small(-1.5, 1.5),
  start: small(-1, 1),
  threshold: small(-1, 1),
  c1: small(-2, 2),
  c2: small(-2, 2),
  ks: fc.array(small(-1, 1), { minLength: 1, maxLength: 5 }),
});

const lit = (v: number) => (v < 0 ? `(${v})` : String(v));

/** The interpreted program: a function with a branch, called in a loop over an array. */
function program(c: Case): string {
  return `function g(u: number): number {
  if (u > ${lit(c.threshold)}) {
    return u * ${lit(c.c1)};
  } else {
    return Math.sin(u) + ${lit(c.c2)};
  }
}
const ks = [${c.ks.map(lit).join(', ')}];
const x = ${lit(c.x)};
let acc = ${lit(c.start)};
for (let i = 0; i < ks.length; i++) {
  acc = acc * x + g(acc) * ks[i];
}
acc`;
}

/** The same computation by hand: each branch decided here, in plain numbers, and written out straight-line. */
function unrolled(c: Case): { text: string; margin: number } {
  const lines = [`const x = ${lit(c.x)};`, `let acc = ${lit(c.start)};`];
  let acc = c.start;
  let margin = Infinity;
  c.ks.forEach((k, i) => {
    const taken = acc > c.threshold;
    margin = Math.min(margin, Math.abs(acc - c.threshold));
    const g = taken ? acc * c.c1 : Math.sin(acc) + c.c2;
    lines.push(taken ? `acc = acc * x + acc * ${lit(c.c1)} * k${i};` : `acc = acc * x + (Math.sin(acc) + ${lit(c.c2)}) * k${i};`);
    acc = acc * c.x + g * k;
  });
  // The array entries are inputs of the interpreted program (ks[0], …): inputs of the unrolled one too.
  return { text: [...c.ks.map((k, i) => `const k${i} = ${lit(k)};`), ...lines, 'acc'].join('\n'), margin };
}

describe('interpreter properties', () => {
  it('loops, functions and branches give the value and gradients of the same computation unrolled by hand', () => {
    fc.assert(fc.property(cases, (c) => {
      const interpreted = analyze(program(c), { lang: 'ts', gradCheck: false });
      const hand = unrolled(c);
      const straight = analyze(hand.text, { lang: 'ts', gradCheck: false });
      if (!interpreted.ok) assert.fail(interpreted.error.format());
      if (!straight.ok) assert.fail(straight.error.format());
      assert.equal(straight.value.program.interpreted, undefined, 'the oracle is straight-line code');
      close(interpreted.value.value, straight.value.value, 1e-12, 'value');
      close(interpreted.value.gradients.x, straight.value.gradients.x, 1e-9, '∂/∂x');
      close(interpreted.value.gradients.acc, straight.value.gradients.acc, 1e-9, '∂/∂acc');
      c.ks.forEach((_, i) => close(interpreted.value.gradients[`ks[${i}]`], straight.value.gradients[`k${i}`], 1e-9, `∂/∂ks[${i}]`));
      // One branch record per call, each with the condition as written.
      assert.equal(interpreted.value.trace.branches!.length, c.ks.length);
      assert.ok(interpreted.value.trace.branches!.every((b) => b.condition.startsWith('u > ')));
    }), { numRuns: 60 });
  });

  it('interpreted gradients agree with central finite differences of the program', () => {
    fc.assert(fc.property(cases, (c) => {
      // Away from a branch's threshold, so a nudge of x does not switch branches.
      fc.pre(unrolled(c).margin > 1e-3);
      const text = program(c);
      const r = analyze(text, { lang: 'ts', gradCheck: false });
      if (!r.ok) assert.fail(r.error.format());
      const h = 1e-6;
      const at = (x: number) => {
        const v = analyze(text, { lang: 'ts', values: { x }, gradCheck: false });
        if (!v.ok) assert.fail(v.error.format());
        return v.value.value;
      };
      const fd = (at(c.x + h) - at(c.x - h)) / (2 * h);
      close(r.value.gradients.x, fd, 1e-6, '∂/∂x against finite differences');
    }), { numRuns: 40 });
  });
});
