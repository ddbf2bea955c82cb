/** The benchmark graphs, built through the core's programmatic Tape API (no parsing). */
import { Tape } from '../src/engine/tape/tape';

/** mulberry32: a small seeded PRNG, so every run (and the micrograd side) traces the same numbers. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Input values in [-1, 1), generated before timing starts (micrograd's side does the same). */
export function inputValues(n: number, seed = 42): Float64Array {
  const rand = prng(seed);
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = rand() * 2 - 1;
  return xs;
}

export interface TracerTiming {
  nodes: number;
  alloc_ms: number;
  forward_ms: number;
  backward_ms: number;
  output: number;
  /** ∂out/∂x_0, to compare with micrograd and to keep the work observable. */
  grad0: number;
  /** CPU time of this process over forward + backward: unlike wall time, not inflated while other processes hold the cores. */
  cpu_ms: number;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
}

/**
 * Σ_i ((x_i · x_{(i+1) mod n}) + 1)², the n terms summed pairwise as a balanced tree.
 * forward_ms includes allocating the tape (sized up front), creating the inputs, every op and the sum tree.
 */
export function balanced(xs: Float64Array, reuse?: Tape): TracerTiming {
  const n = xs.length;
  const c0 = cpuMs();
  const t0 = performance.now();
  // n inputs, 2 constants, 3 ops per term, n − 1 additions. With `reuse`, that tape is emptied and refilled.
  const tape = reuse ?? new Tape(5 * n + 2);
  if (reuse) reuse.reset();
  const t1 = performance.now();
  for (let i = 0; i < n; i++) tape.input('', xs[i]);
  const one = tape.constant(1);
  const two = tape.constant(2);
  const level = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const next = i + 1 === n ? 0 : i + 1;
    level[i] = tape.pow(tape.add(tape.mul(i, next), one), two);
  }
  let len = n;
  while (len > 1) {
    let k = 0;
    for (let i = 0; i + 1 < len; i += 2) level[k++] = tape.add(level[i], level[i + 1]);
    if (len % 2) level[k++] = level[len - 1];
    len = k;
  }
  const out = level[0];
  const t2 = performance.now();
  tape.backward(out);
  const t3 = performance.now();
  const cpu = cpuMs() - c0;
  return { nodes: tape.size, alloc_ms: t1 - t0, forward_ms: t2 - t0, backward_ms: t3 - t2, output: tape.value[out], grad0: tape.grad[0], cpu_ms: cpu };
}

/**
 * A chain n ops deep cycling tanh, ×c, +s. c and s put the fixed point at tanh = 0.5 with a slope of 0.9999
 * per cycle, so values stay put and gradients neither vanish into subnormals nor blow up over 10⁶ ops.
 */
export function chain(n: number): TracerTiming {
  const c = 0.9999 / 0.75;
  const s = Math.atanh(0.5) - c * 0.5;
  const c0 = cpuMs();
  const t0 = performance.now();
  const tape = new Tape(n + 3);
  const t1 = performance.now();
  let h = tape.input('', Math.atanh(0.5));
  const scale = tape.constant(c);
  const shift = tape.constant(s);
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    h = k === 0 ? tape.tanh(h) : k === 1 ? tape.mul(h, scale) : tape.add(h, shift);
  }
  const t2 = performance.now();
  tape.backward(h);
  const t3 = performance.now();
  const cpu = cpuMs() - c0;
  return { nodes: tape.size, alloc_ms: t1 - t0, forward_ms: t2 - t0, backward_ms: t3 - t2, output: tape.value[h], grad0: tape.grad[0], cpu_ms: cpu };
}
