/**
 * The interpreter's budgets: an endless loop, `for (;;)`, runaway recursion and a loop to 1e9 each end the trace
 * with a clear error naming the loop or call and its line:col, never a hang. The time bound here is generous
 * (the machine is shared); the speed figure lives in `npm run bench` (bench/graphs.ts, interpreter rows).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../src/host/engine';
import { parseArgs } from '../../src/cli/cli';
import type { Budgets } from '../../src/engine/interpreter/interpret';

/** Generous: the budget stops in well under 2 s on an idle machine; tests share 2 cores with other work. */
const GENEROUS_MS = 20_000;

function stopped(text: string, message: RegExp, line: number, col: number, budgets?: Budgets) {
  const started = performance.now();
  const r = analyze(text, { lang: 'ts', budgets });
  const ms = performance.now() - started;
  assert.ok(!r.ok, `${JSON.stringify(text)} must stop`);
  assert.match(r.error.message, message, r.error.format());
  assert.deepEqual([r.error.span?.line, r.error.span?.col], [line, col], r.error.format());
  assert.ok(ms < GENEROUS_MS, `stopped after ${ms.toFixed(0)} ms`);
  return r.error;
}

describe('interpreter budgets: never a hang', () => {
  it('an endless while loop', () => {
    const e = stopped('let s = 0;\nwhile (true) {\n  s = s + 1;\n}\ns', /^stopped: the loop at 2:1 ran more than 1,000,000 steps$/, 2, 1);
    assert.equal(e.code, 'too-large');
  });

  it('for (;;)', () => {
    stopped('const x = 2;\nlet y = x;\n  for (;;) { y = y * 1; }\ny', /^stopped: the loop at 3:3 ran more than 1,000,000 steps$/, 3, 3);
  });

  it('an endless loop inside a function blames the loop', () => {
    stopped('function spin(u: number) {\n  while (u > 0) { u = u + 1; }\n  return u;\n}\nspin(1)', /^stopped: the loop at 2:3 ran more than 1,000,000 steps$/, 2, 3);
  });

  it('a recursion 1,000 calls deep runs (the default budget is reachable)', () => {
    const r = analyze('function power(x: number, n: number): number {\n  if (n === 0) return 1;\n  const y = x * power(x, n - 1);\n  return y;\n}\nconst x = 1.0001;\npower(x, 999)', { lang: 'ts', gradCheck: false });
    if (!r.ok) assert.fail(r.error.format());
    assert.ok(Math.abs(r.value.value - 1.0001 ** 999) < 1e-9);
    assert.ok(Math.abs(r.value.gradients.x - 999 * 1.0001 ** 998) < 1e-9);
  });

  it('runaway recursion', () => {
    const e = stopped('function f(u: number): number {\n  return f(u) + 1;\n}\nconst x = 1;\nf(x)', /^stopped: the call f\(u\) at 2:10 went deeper than 1,000 nested calls$/, 2, 10);
    assert.equal(e.code, 'too-deep');
  });

  it('a loop to 1e9', () => {
    stopped('const x = 0.5;\nlet s = 0;\nfor (let i = 0; i < 1e9; i++) {\n  s += x;\n}\ns', /^stopped: the loop at 3:1 ran more than 1,000,000 steps$/, 3, 1);
  });

  it('a Python-style range to 1e9 is never materialized', () => {
    // range() is lazy in the interpreter; the TypeScript front end has none, so this goes through map over a long array instead.
    stopped('const xs: number[] = [];\nfor (let i = 0; i < 1e9; i++) xs.push(i);\nxs.length', /^stopped: the loop at 2:1 ran more than 1,000,000 steps$/, 2, 1);
  });

  it('the budgets are settings: smaller ones stop sooner, with their own numbers', () => {
    stopped('let s = 0;\nwhile (true) s += 1;\ns', /^stopped: the loop at 2:1 ran more than 1,000 steps$/, 2, 1, { maxSteps: 1000 });
    stopped('function f(u: number): number { return u > 0 ? f(u - 1) : 0; }\nf(50)', /^stopped: the call f\(u - 1\) at 1:48 went deeper than 10 nested calls$/, 1, 48, { maxCallDepth: 10 });
    // Within the budget, the same program runs.
    const r = analyze('function f(u: number): number { return u > 0 ? f(u - 1) : 0; }\nf(50)', { lang: 'ts', budgets: { maxCallDepth: 100 } });
    assert.ok(r.ok);
  });

  it('a call depth budget beyond the host stack is still a clear error, not a crash', () => {
    const r = analyze('function f(u: number): number {\n  return f(u) + 1;\n}\nf(1)', { lang: 'ts', budgets: { maxCallDepth: 10_000_000, maxSteps: 100_000_000 } });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'too-deep');
    assert.match(r.error.message, /^stopped: the call f\(u\) at 2:10 nested calls more deeply than the interpreter's stack allows \([\d,]+ deep\)$/);
  });

  it('CLI flags --max-steps and --max-depth', () => {
    const o = parseArgs(['let s = 0; while (true) s += 1; s', '--max-steps', '500', '--max-depth=20']);
    assert.ok(typeof o === 'object');
    assert.equal(o.maxSteps, 500);
    assert.equal(o.maxDepth, 20);
    assert.throws(() => parseArgs(['x', '--max-steps', '0']), /--max-steps 0: expected a whole number/);
    assert.throws(() => parseArgs(['x', '--max-depth', '1.5']), /--max-depth 1.5: expected a whole number/);
  });
});
