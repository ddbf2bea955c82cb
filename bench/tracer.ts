/** Section `tracer`: the tape at scale, and micrograd side by side on the same graph. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Tape } from '../src/engine/tape/tape';
import { balanced, chain, inputValues, type TracerTiming } from './graphs';
import { median, round, type BenchRecord } from './util';

function summarize(name: string, n: number, timings: TracerTiming[]): BenchRecord {
  const total = timings.map((t) => t.forward_ms + t.backward_ms);
  const nodes = timings[0].nodes;
  const m = median(total);
  return {
    name,
    n,
    median_ms: round(m),
    runs: timings.length,
    nodes,
    forward_ms: round(median(timings.map((t) => t.forward_ms))),
    backward_ms: round(median(timings.map((t) => t.backward_ms))),
    alloc_ms: round(median(timings.map((t) => t.alloc_ms))),
    ns_per_node: round((m * 1e6) / nodes),
    cpu_ns_per_node: round((median(timings.map((t) => t.cpu_ms)) * 1e6) / nodes),
    forward_ns_per_node: round((median(timings.map((t) => t.forward_ms)) * 1e6) / nodes),
    backward_ns_per_node: round((median(timings.map((t) => t.backward_ms)) * 1e6) / nodes),
    output: timings[0].output,
    grad_x0: timings[0].grad0,
  };
}

/** Bytes a node takes in the tape: the sum over its typed arrays, read from a real Tape. */
const TAPE_BYTES_PER_NODE = Object.values(new Tape(4))
  .filter((v): v is Uint8Array | Int32Array | Float64Array => ArrayBuffer.isView(v))
  .reduce((sum, a) => sum + a.BYTES_PER_ELEMENT, 0);

const RUNS: Record<number, number> = { 1e3: 201, 1e4: 51, 1e5: 15, 1e6: 11 };

/**
 * What it costs this machine to hand out fresh memory: first writes to a new 256 MB Float64Array, one per
 * 4 KB page. The tape of a 1e6-term graph is 5×10⁶ nodes of fresh typed arrays, so this bounds what a fresh tape
 * must pay before any tracing work.
 */
function pageFaults(emit: (r: BenchRecord) => void): void {
  const times: number[] = [];
  const bytes = 256 * 1024 * 1024;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const a = new Float64Array(bytes / 8);
    for (let i = 0; i < a.length; i += 512) a[i] = 1;
    times.push(performance.now() - t0);
  }
  const m = median(times);
  const pages = bytes / 4096;
  emit({
    name: 'machine.fresh_memory',
    median_ms: round(m),
    runs: times.length,
    mb: bytes / 1024 / 1024,
    us_per_page: round((m * 1e3) / pages),
    bytes_per_tape_node: TAPE_BYTES_PER_NODE,
    ns_per_tape_node: round(((m * 1e6) / pages) * (TAPE_BYTES_PER_NODE / 4096)),
  });
}

export function tracerSection(emit: (r: BenchRecord) => void): void {
  pageFaults(emit);
  // Warm the JIT on a mid-size graph first, as a long-running extension host would be.
  const warm = inputValues(1e4);
  for (let i = 0; i < 20; i++) balanced(warm);

  /** Runs tracer.balanced at each n, into a fresh tape each run or (with `reuse`) into one tape emptied between runs. */
  const measure = (name: string, sizes: number[], reuse: boolean, target: string) => {
    const byN = new Map<number, BenchRecord>();
    for (const n of sizes) {
      const xs = inputValues(n);
      const tape = reuse ? new Tape(5 * n + 2) : undefined;
      balanced(xs, tape);
      const timings: TracerTiming[] = [];
      for (let r = 0; r < RUNS[n]; r++) timings.push(balanced(xs, tape));
      const rec = summarize(name, n, timings);
      if (n === 1e6) {
        rec.target = target;
        rec.met = (rec.ns_per_node as number) <= 25;
      }
      byN.set(n, rec);
      emit(rec);
    }
    return byN;
  };
  const byN = measure('tracer.balanced', [1e3, 1e4, 1e5, 1e6], false, '≤ 25 ns/node forward+backward at 1e6 (fresh tape each run)');
  // The same graph traced again into one tape (Tape.reset between runs), as a training loop would: the
  // tape's memory is already mapped, so this is the tracer's cost without first-touch page faults.
  const reusedByN = measure('tracer.balanced.reused_tape', [1e5, 1e6], true, '≤ 25 ns/node forward+backward at 1e6 (tape memory already mapped)');
  const scaling = (name: string, r5: BenchRecord, r6: BenchRecord, target: string) => {
    const ratio = r6.median_ms / r5.median_ms;
    emit({ name, n: 1e6, median_ms: r6.median_ms, ratio_1e6_to_1e5: round(ratio), target, met: ratio <= 12 });
  };
  scaling('tracer.scaling', byN.get(1e5)!, byN.get(1e6)!, 'time at 1e6 ≤ 12 × time at 1e5 (fresh tapes)');
  scaling('tracer.scaling.reused_tape', reusedByN.get(1e5)!, reusedByN.get(1e6)!, 'time at 1e6 ≤ 12 × time at 1e5 (tape memory already mapped)');

  const timings: TracerTiming[] = [];
  chain(1e6);
  for (let r = 0; r < 9; r++) timings.push(chain(1e6));
  emit(summarize('tracer.chain', 1e6, timings));
}

interface MicrogradRun { forward_ms: number; backward_ms: number; cpu_ms: number; nodes: number; output: number; grad0: number }

interface TapeProcess { total_ms: number; cpu_ms: number; nodes: number; output: number; grad0: number }

/**
 * Child-process mode for microgradSection: warms up as the tracer section does, then times tracer.balanced(n)
 * 11 times and prints the medians as one JSON line.
 */
export function tapeProcess(n: number): void {
  const warm = inputValues(1e4);
  for (let i = 0; i < 20; i++) balanced(warm);
  const xs = inputValues(n);
  balanced(xs);
  const runs: TracerTiming[] = [];
  for (let r = 0; r < 11; r++) runs.push(balanced(xs));
  const out: TapeProcess = {
    total_ms: median(runs.map((t) => t.forward_ms + t.backward_ms)),
    cpu_ms: median(runs.map((t) => t.cpu_ms)),
    nodes: runs[0].nodes,
    output: runs[0].output,
    grad0: runs[0].grad0,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/**
 * micrograd (bench/micrograd_engine.py, CPython) on exactly tracer.balanced's graph, with the tape timed in
 * separate processes right before and right after it (3 each), so both see the same stretch of machine load and
 * one process's JIT luck (the tape's figures differ up to 2× between processes here) does not decide the ratio.
 * The tape's figure is the median over those processes. Also checks that both computed the same output and
 * ∂out/∂x₀.
 */
export function microgradSection(emit: (r: BenchRecord) => void, benchDir: string): void {
  const script = process.argv[1];
  const tapeRuns = (n: number): TapeProcess[] => [0, 1, 2].map(() => {
    const p = spawnSync(process.execPath, [script, '--tape', String(n)], { encoding: 'utf8', timeout: 120_000 });
    return JSON.parse(p.stdout.trim().split('\n').pop()!) as TapeProcess;
  });
  for (const [n, runs] of [[1e4, 5], [1e5, 5]] as const) {
    const ours = tapeRuns(n);
    const py = spawnSync('python3', [join(benchDir, 'micrograd_bench.py'), '--n', String(n), '--runs', String(runs)], {
      encoding: 'utf8',
      timeout: 240_000,
      maxBuffer: 1 << 20,
    });
    if (py.status !== 0) {
      emit({ name: 'micrograd.balanced', n, median_ms: NaN, unavailable: `python3 failed: ${(py.error?.message ?? py.stderr).trim().split('\n').pop()}` });
      continue;
    }
    const result = JSON.parse(py.stdout) as { nodes: number; python: string; runs: MicrogradRun[] };
    const mg = result.runs;
    const mgTotal = median(mg.map((r) => r.forward_ms + r.backward_ms));
    emit({
      name: 'micrograd.balanced',
      n,
      median_ms: round(mgTotal),
      runs: mg.length,
      nodes: result.nodes,
      forward_ms: round(median(mg.map((r) => r.forward_ms))),
      backward_ms: round(median(mg.map((r) => r.backward_ms))),
      ns_per_node: round((mgTotal * 1e6) / result.nodes),
      cpu_ns_per_node: round((median(mg.map((r) => r.cpu_ms)) * 1e6) / result.nodes),
      python: result.python,
      output: mg[0].output,
      grad_x0: mg[0].grad0,
    });

    ours.push(...tapeRuns(n));
    const oursTotal = median(ours.map((t) => t.total_ms));
    const speedup = mgTotal / oursTotal;
    const perNode = (mgTotal / result.nodes) / (oursTotal / ours[0].nodes);
    const agree = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
    emit({
      name: 'tracer.vs_micrograd',
      n,
      median_ms: round(oursTotal),
      tape_processes: ours.length,
      tape_process_min_ms: round(Math.min(...ours.map((t) => t.total_ms))),
      tape_process_max_ms: round(Math.max(...ours.map((t) => t.total_ms))),
      micrograd_ms: round(mgTotal),
      speedup: round(speedup),
      speedup_per_node: round(perNode),
      speedup_cpu: round(median(mg.map((r) => r.cpu_ms)) / median(ours.map((t) => t.cpu_ms))),
      same_result: agree(ours[0].output, mg[0].output) && agree(ours[0].grad0, mg[0].grad0),
      ...(n === 1e5 ? { target: '≥ 200× faster than micrograd on the same graph (1e5)', met: speedup >= 200 } : {}),
    });
  }
}
