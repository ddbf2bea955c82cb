/** Statistics and the record format shared by every bench section. */

/** One result line of `npm run bench -- --json`. Times are milliseconds unless a field name says otherwise. */
export interface BenchRecord {
  name: string;
  n?: number;
  median_ms: number;
  /** How many timed runs the median is over. */
  runs?: number;
  /** The target this row is checked against, in words, and whether this run met it. */
  target?: string;
  met?: boolean;
  /** Why a row could not be measured (then median_ms is NaN → null in JSON). */
  unavailable?: string;
  [field: string]: unknown;
}

export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Rounds for display and JSON: 3 significant digits, at least 1 decimal below 100. */
export function round(x: number): number {
  if (!Number.isFinite(x)) return x;
  const a = Math.abs(x);
  const digits = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : a >= 1 ? 3 : 4;
  return Number(x.toFixed(digits));
}

/** Times `fn` `runs` times after `warmup` untimed calls; returns each run's milliseconds. */
export function timeRuns(fn: () => unknown, runs: number, warmup = 1): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Keeps a result observable so the JIT cannot drop the work that produced it. */
export let sink: unknown;
export function consume(x: unknown): void {
  sink = x;
}
