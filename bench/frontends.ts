/** Section `frontends`: text → IR → tape (forward + backward), the seeds and two large generated inputs. */
import { parseProgram, tsParser } from '../src/host/engine';
import type { Lang, Program } from '../src/engine/ast/ir';
import { trace } from '../src/engine/interpreter/trace';
import { consume, median, percentile, round, timeRuns, type BenchRecord } from './util';

interface Case { name: string; text: string; lang: Lang; values: Record<string, number> }

const DAY05 = 'const h = Math.tanh(w1 * x);\nconst y = w2 * h;\nconst L = 0.5 * (y - target) ** 2;';

export const SEEDS: Case[] = [
  { name: 'seed (x^2+1)^3', text: '(x^2+1)^3', lang: 'math', values: { x: 2 } },
  { name: 'seed x ** 3 + 2 * x', text: 'x ** 3 + 2 * x', lang: 'ts', values: { x: 1 } },
  { name: 'seed sin(x^2+1)', text: 'sin(x^2+1)', lang: 'math', values: { x: 2 } },
  { name: 'seed day05 three const lines', text: DAY05, lang: 'ts', values: { x: 1, w1: 1.2, w2: -0.8, target: 0.5 } },
];

const FUNCS = ['sin', 'tanh', 'exp', 'sigmoid', 'cos', 'sqrt'];
/** 2,000 terms such as `0.5*sin(x3*y1)`, over 8 variables (values x0..x3, y0..y3). */
export function mathTerms(terms: number): Case {
  const parts: string[] = [];
  for (let k = 0; k < terms; k++) {
    const f = FUNCS[k % FUNCS.length];
    const arg = f === 'sqrt' ? `(x${k % 4}^2 + 1)` : `x${k % 4}*y${(k >> 2) % 4}`;
    parts.push(`${((k % 9) + 1) / 10}*${f}(${arg})`);
  }
  return { name: `math ${terms} terms`, text: parts.join(' + '), lang: 'math', values: vars() };
}

const TS_LINES = [
  (i: number) => `const v${i} = Math.tanh(w${i % 4} * v${i - 1} + b${i % 3});`,
  (i: number) => `const v${i} = 0.5 * v${i - 1} - 0.25 * v${i - 2} * w${i % 4};`,
  (i: number) => `const v${i} = Math.sin(v${i - 1}) ** 2 + v${i - 3} / (1 + Math.exp(-v${i - 2}));`,
  (i: number) => `let v${i}: number = Math.max(v${i - 1}, 0) + 0.1 * Math.sqrt(v${i - 2} * v${i - 2} + 1);`,
];
/** A straight-line TypeScript block of `lines` declarations, each using the previous ones. */
export function tsBlock(lines: number): Case {
  const out = ['const v0 = 0.5;', 'const v1 = 0.25;', 'const v2 = -0.75;'];
  for (let i = 3; i < lines; i++) out.push(TS_LINES[i % TS_LINES.length](i));
  return { name: `ts ${lines} lines`, text: out.join('\n'), lang: 'ts', values: { w0: 0.3, w1: -0.2, w2: 0.1, w3: 0.05, b0: 0.01, b1: -0.02, b2: 0.03 } };
}

/** A 10,000-iteration loop of arithmetic: the interpreter's speed target (issue 12: ≤ 50 ms, parse included). */
export const TS_LOOP: Case = {
  name: 'ts loop 10,000 iterations (interpreted)',
  text: 'const x = 0.5;\nlet s = 0;\nfor (let i = 0; i < 10000; i++) {\n  s = s + x * 0.001;\n}\ns',
  lang: 'ts', values: {},
};
/** An endless loop: how long the step budget (1,000,000 steps) takes to stop it with its error (issue 12: ≤ 2 s). */
export const TS_ENDLESS = 'let s = 0;\nwhile (true) {\n  s = s + 1;\n}\ns';

function vars(): Record<string, number> {
  const v: Record<string, number> = {};
  for (let i = 0; i < 4; i++) { v[`x${i}`] = 0.1 * (i + 1); v[`y${i}`] = -0.2 * (i + 1); }
  return v;
}

function parseAndTrace(c: Case) {
  const parsed = parseProgram(c.text, c.lang);
  if (!parsed.ok) throw new Error(`${c.name}: ${parsed.error.message}`);
  return trace(parsed.value as Program, c.values);
}

export function frontendsSection(emit: (r: BenchRecord) => void): void {
  let tsAvailable = true;
  try {
    tsParser('x');
  } catch (e) {
    tsAvailable = false;
    emit({ name: 'frontend.ts', median_ms: NaN, unavailable: `TypeScript front end not available: ${(e as Error).message}` });
  }
  // Seeds: many short runs, with a p95; generated programs: a few long runs, with their size.
  const cases = [
    ...SEEDS.map((c) => ({ c, runs: 301, warm: 50, seed: true })),
    ...[mathTerms(2000), tsBlock(2000), TS_LOOP].map((c) => ({ c, runs: 9, warm: 2, seed: false })),
  ];
  for (const { c, runs, warm, seed } of cases) {
    if (c.lang === 'ts' && !tsAvailable) {
      emit({ name: `frontend.${c.name}`, median_ms: NaN, unavailable: 'TypeScript front end not available' });
      continue;
    }
    const check = parseAndTrace(c);
    const ms = timeRuns(() => consume(parseAndTrace(c)), runs, warm);
    emit({
      name: `frontend.${c.name}`,
      ...(c === TS_LOOP ? { target: '≤ 50 ms', met: median(ms) <= 50 } : {}),
      median_ms: round(median(ms)),
      ...(seed ? { median_us: round(median(ms) * 1e3), p95_us: round(percentile(ms, 95) * 1e3) } : { chars: c.text.length }),
      runs: ms.length,
      nodes: check.tape.size,
      value: check.tape.value[check.output],
    });
  }
  if (tsAvailable) {
    // The budget's stop: parse, interpret until the step budget ends it, the error value.
    const stop = () => {
      const parsed = parseProgram(TS_ENDLESS, 'ts');
      if (!parsed.ok) throw new Error(parsed.error.message);
      try {
        trace(parsed.value as Program, {});
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('the endless loop was not stopped');
    };
    const message = stop();
    const ms = timeRuns(() => consume(stop()), 5, 1);
    emit({ name: 'frontend.ts endless while, stopped by the step budget', median_ms: round(median(ms)), runs: ms.length, message, target: '≤ 2 s', met: median(ms) <= 2000 });
  }
}
