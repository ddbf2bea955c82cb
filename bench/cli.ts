/**
 * Section `cli`: the seed call's whole-process time, `node dist/cli.js "(x^2+1)^3" --at x=2` (parse, trace,
 * backward, finite-difference check, symbolic derivative, printing, exit), beside a CPython process doing the
 * same math with micrograd (bench/micrograd_seed.py: (x^2+1)^3 at 2, forward and backward, print). Paired: each
 * pair runs both processes back to back, alternating which goes first, so both see the same machine load.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { median, round, type BenchRecord } from './util';

const PAIRS = 10;
const EXPRESSION = '(x^2+1)^3';

/** Wall time of one whole process, spawn to exit, and its stdout. */
function timeProcess(cmd: string, args: string[], cwd: string): { ms: number; stdout: string; status: number | null } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  const ms = performance.now() - t0;
  return { ms, stdout: r.stdout ?? '', status: r.status };
}

export function cliSection(emit: (r: BenchRecord) => void, root: string): void {
  const cli = join(root, 'dist/cli.js');
  if (!existsSync(cli)) {
    emit({ name: 'cli.startup', median_ms: NaN, unavailable: 'dist/cli.js is missing (run npm run build)' });
    return;
  }
  const node = [process.execPath, [cli, EXPRESSION, '--at', 'x=2']] as const;
  const python = ['python3', [join(root, 'bench/micrograd_seed.py')]] as const;
  // Both must compute the seed's numbers (125 and 300), or the comparison means nothing.
  const nodeCheck = timeProcess(node[0], [...node[1]], root);
  const pyCheck = timeProcess(python[0], [...python[1]], root);
  const nodeOk = nodeCheck.status === 0 && /value:\s*125\b/.test(nodeCheck.stdout) && /\bx\s+2\s+300\b/.test(nodeCheck.stdout);
  const pyOk = pyCheck.status === 0 && /value 125\b/.test(pyCheck.stdout) && /dy\/dx 300\b/.test(pyCheck.stdout);
  if (!nodeOk || !pyOk) {
    emit({ name: 'cli.startup', median_ms: NaN, unavailable: `${nodeOk ? '' : `the CLI did not print 125 and 300 (exit ${nodeCheck.status})`}${!nodeOk && !pyOk ? '; ' : ''}${pyOk ? '' : `micrograd_seed.py did not print 125 and 300 (exit ${pyCheck.status})`}` });
    return;
  }
  const nodeMs: number[] = [];
  const pyMs: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const order = i % 2 === 0 ? ['node', 'python'] : ['python', 'node'];
    const pair: Record<string, number> = {};
    for (const which of order) {
      const [cmd, args] = which === 'node' ? node : python;
      pair[which] = timeProcess(cmd, [...args], root).ms;
    }
    nodeMs.push(pair.node);
    pyMs.push(pair.python);
    ratios.push(pair.node / pair.python);
  }
  const n = median(nodeMs);
  const p = median(pyMs);
  emit({
    name: 'cli.startup',
    median_ms: round(n),
    runs: PAIRS,
    micrograd_ms: round(p),
    ratio: round(median(ratios)),
    node_min_ms: round(Math.min(...nodeMs)),
    node_max_ms: round(Math.max(...nodeMs)),
    micrograd_min_ms: round(Math.min(...pyMs)),
    micrograd_max_ms: round(Math.max(...pyMs)),
    python: pyCheck.stdout ? (spawnSync('python3', ['--version'], { encoding: 'utf8' }).stdout ?? '').trim() : '',
    target: 'whole process ≤ a CPython micrograd process on the same math',
    met: n <= p,
  });
}
