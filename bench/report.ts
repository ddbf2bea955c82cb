/** Renders bench records as the terminal table and as docs/BENCHMARKS.md. */
import type { BenchRecord } from './util';

const num = (x: unknown, unit = '') => (typeof x === 'number' && Number.isFinite(x) ? `${x.toLocaleString('en-US', { maximumFractionDigits: 4 })}${unit}` : '—');
const mark = (r: BenchRecord) => (r.met === undefined ? '' : r.met ? 'met' : 'NOT met');
const sci = (n: number | undefined) => (n === undefined ? '' : n >= 1000 && Number.isInteger(Math.log10(n)) ? `1e${Math.log10(n)}` : String(n));

/** One row per record: name, n, the main figure, details, target status. */
export function describe(r: BenchRecord): [string, string, string, string, string] {
  const name = r.name;
  const n = sci(r.n);
  if (r.unavailable) return [name, n, 'not available', r.unavailable, ''];
  let main = `${num(r.median_ms, ' ms')}`;
  let details = '';
  if (name.startsWith('tracer.balanced') || name === 'tracer.chain') {
    main = `${num(r.ns_per_node, ' ns/node')}`;
    details = `total ${num(r.median_ms, ' ms')} = forward ${num(r.forward_ms, ' ms')} + backward ${num(r.backward_ms, ' ms')}; ${num(r.nodes)} nodes (fwd ${num(r.forward_ns_per_node)}, bwd ${num(r.backward_ns_per_node)} ns/node); CPU time ${num(r.cpu_ns_per_node, ' ns/node')}`;
  } else if (name.startsWith('tracer.scaling')) {
    main = `${num(r.ratio_1e6_to_1e5, '×')}`;
    details = 'time at 1e6 ÷ time at 1e5 (10× the nodes)';
  } else if (name === 'micrograd.balanced') {
    main = `${num(r.ns_per_node, ' ns/node')}`;
    details = `total ${num(r.median_ms, ' ms')} = forward ${num(r.forward_ms, ' ms')} + backward ${num(r.backward_ms, ' ms')}; ${num(r.nodes)} Values; CPython ${r.python}; CPU time ${num(r.cpu_ns_per_node, ' ns/node')}`;
  } else if (name === 'tracer.vs_micrograd') {
    main = `${num(r.speedup, '×')}`;
    details = `tape ${num(r.median_ms, ' ms')} vs micrograd ${num(r.micrograd_ms, ' ms')} on the same graph (per node, counting each side's own nodes: ${num(r.speedup_per_node, '×')}; by CPU time: ${num(r.speedup_cpu, '×')}); same output and ∂out/∂x₀: ${r.same_result ? 'yes' : 'NO'}; tape: median of ${r.tape_processes} processes around micrograd's (range ${num(r.tape_process_min_ms, ' ms')}–${num(r.tape_process_max_ms, ' ms')})`;
  } else if (name.startsWith('frontend.seed')) {
    main = `${num(r.median_us, ' µs')}`;
    details = `p95 ${num(r.p95_us, ' µs')}; ${r.nodes} nodes`;
  } else if (name.startsWith('frontend.ts endless')) {
    details = `parse, interpret until the default step budget stops it, the error: “${String(r.message)}”; ${r.runs} runs`;
  } else if (name.startsWith('frontend.')) {
    details = `${num(r.chars)} chars → ${num(r.nodes)} nodes`;
  } else if (name.startsWith('hover.')) {
    main = `${num(r.median_us, ' µs')}`;
    details = `p95 ${num(r.p95_us, ' µs')} (steady); right after 30 warm-up hovers median ${num(r.early_median_us, ' µs')}, p95 ${num(r.early_p95_us, ' µs')}; first (cold) hover ${num(r.first_us, ' µs')}; shows ${String(r.shows)}`;
  } else if (name === 'view.render') {
    main = `cold ${num(r.cold_ms, ' ms')}`;
    details = `warm, new numbers ${num(r.warm_numbers_ms, ' ms')}; warm, new structure ${num(r.warm_structure_ms, ' ms')}; warm, a structure drawn before in the page ${num(r.warm_seen_structure_ms, ' ms')}; page load ${num(r.page_load_ms, ' ms')}; ${r.svg_nodes} nodes drawn; ${r.runs} fresh pages; modes ${r.modes}`;
  } else if (name === 'cli.startup') {
    main = `${num(r.median_ms, ' ms')}`;
    details = `whole process: node dist/cli.js "(x^2+1)^3" --at x=2 (range ${num(r.node_min_ms)}–${num(r.node_max_ms, ' ms')}) vs python3 bench/micrograd_seed.py ${num(r.micrograd_ms, ' ms')} (range ${num(r.micrograd_min_ms)}–${num(r.micrograd_max_ms, ' ms')}; ${String(r.python)}); median ratio of ${r.runs} pairs ${num(r.ratio, '×')}, each pair back to back, alternating which runs first`;
  } else if (name === 'vscode.cold') {
    main = `${num(r.median_ms, ' ms')}`;
    details = `Enter → node painted, first graph in a fresh window, median of ${r.runs} windows (range ${num(r.min_ms)}–${num(r.max_ms, ' ms')}); empty webview panel, same run: ${num(r.empty_ms, ' ms')} (range ${num(r.empty_min_ms)}–${num(r.empty_max_ms, ' ms')}), ratio ${num(r.ratio, '×')}; of which the webview's own render ${num(r.render_ms, ' ms')}; ${r.nodes} nodes drawn, fitted in ${r.fitted} of ${r.runs}; window load ${num(r.window_load_ms, ' ms')}`;
  } else if (name === 'vscode.warm') {
    main = `${num(r.median_ms, ' ms')}`;
    details = `Enter → node painted, a second expression (a new structure) in the same window, ${r.runs} samples (range ${num(r.min_ms)}–${num(r.max_ms, ' ms')}); of which the webview's own render ${num(r.render_ms, ' ms')}; fitted in ${r.fitted} of ${r.runs}`;
  } else if (name === 'vscode.large') {
    main = Number.isFinite(r.median_ms) ? `fitted ${num(r.median_ms, ' ms')}` : 'never fitted';
    details = `${r.terms}-term sum, Enter → visible ${num(r.visible_ms, ' ms')} (range ${num(r.visible_min_ms)}–${num(r.visible_max_ms, ' ms')})${r.fitted === r.runs ? `, → fitted (every node inside the diagram area) range ${num(r.fitted_min_ms)}–${num(r.fitted_max_ms, ' ms')}` : `; fitted in ${r.fitted} of ${r.runs} (nodes inside the area: ${String(r.inside)} of ${r.n})`}; the webview's own render ${num(r.render_ms, ' ms')}; longest main-thread task ${num(r.longest_task_ms, ' ms')} (median over samples ${num(r.longest_task_median_ms, ' ms')}, ${num(r.long_tasks)} long tasks a sample); ${r.runs} samples in warm windows`;
  } else if (name === 'vscode.session') {
    details = `the whole code-server part: packaging both extensions and starting code-server ${num(r.setup_ms, ' ms')}, the start-up window opening both panels, ${r.windows} measured windows`;
  } else if (name === 'machine.fresh_memory') {
    main = `${num(r.us_per_page, ' µs/page')}`;
    details = `first write to each 4 KB page of a new ${r.mb} MB Float64Array (${num(r.median_ms, ' ms')}); at ${r.bytes_per_tape_node} bytes per tape node that is ${num(r.ns_per_tape_node, ' ns')} per node of a fresh tape`;
  } else if (name === 'footprint.vsix') {
    main = `${num(r.kb, ' KB')}`;
    details = `${r.files ?? '?'} files; vsce package took ${num(r.median_ms, ' ms')}`;
  } else if (name.startsWith('footprint.require')) {
    details = `${r.runs} fresh processes; modules loaded: ${r.modules_loaded}; heavy modules loaded: ${r.heavy_loaded}`;
  } else if (name.startsWith('footprint.')) {
    main = `${num(r.kb, ' KB')}`;
    details = String(r.file);
  }
  if (typeof r.processes === 'number' && r.processes > 1) {
    details += `; median of ${r.processes} processes (range ${num(r.process_min)}–${num(r.process_max)})`;
  }
  if (typeof r.separate_run === 'string') details += `; measured in a separate run (${r.separate_run})`;
  if (typeof r.context === 'string') details += `; ${r.context}`;
  const target = r.target ? `${r.target}: ${mark(r)}` : '';
  return [name, n, main, details, target];
}

export function table(all: BenchRecord[]): string {
  const rows = all.filter((r) => r.name !== 'machine' && r.name !== 'run').map(describe);
  const head: [string, string, string, string, string] = ['benchmark', 'n', 'median', 'details', 'target'];
  const widths = [0, 1, 2].map((i) => Math.max(head[i].length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `${r[0].padEnd(widths[0])}  ${r[1].padStart(widths[1])}  ${r[2].padStart(widths[2])}  ${r[4] ? `[${r[4]}]  ` : ''}${r[3]}`;
  return [line(head.slice(0, 4).concat('')), ...rows.map(line)].join('\n');
}

export interface Machine { cpu: string; nproc: number; node: string; python: string; chromium: string; load: string; date: string; os: string }

export function markdown(all: BenchRecord[], current: Machine, command: string): string {
  // A run records the machine it ran on (first record) and how long it took (last record).
  const machine = (all.find((r) => r.name === 'machine') as unknown as Machine | undefined) ?? current;
  const run = all.find((r) => r.name === 'run');
  const records = all.filter((r) => r.name !== 'machine' && r.name !== 'run');
  const md = (s: string) => s.replace(/\|/g, '\\|');
  const out: string[] = [];
  out.push('# Benchmarks', '');
  out.push('Generated by `bench/run.ts --markdown` from one run of `npm run bench` (the records `npm run -s bench -- --json` prints), with the method and analysis from `bench/notes.md`. Every figure is a median over the stated number of runs.', '');
  out.push('## Machine', '');
  out.push(`- Date: ${machine.date}`);
  out.push(`- CPU: ${machine.cpu}, ${machine.nproc} cores (nproc)`);
  out.push(`- OS: ${machine.os}`);
  out.push(`- Node ${machine.node}; ${machine.python}; ${machine.chromium}`);
  out.push(`- Load average (1, 5, 15 min) at the start of the run: ${machine.load}${run ? `; at the end: ${String(run.load_end)}` : ''}`);
  if (run) out.push(`- The whole run took ${Math.round((run.median_ms as number) / 1000)} s`);
  out.push('', '## How to run', '');
  out.push('```sh', 'npm run bench                                   # readable table', 'npm run -s bench -- --json                      # one JSON object per line', 'npm run bench -- --only tracer,micrograd        # some sections (tracer micrograd frontends hover view footprint cli vscode)', 'npm run bench -- --skip vscode                  # all but the real-VS-Code section (code-server, ~2–3 min)', 'npm run bench -- --markdown docs/BENCHMARKS.md  # also rewrite this file', '```', '');
  out.push(`This file: \`${command}\`.`, '');
  if (command.includes('--render')) {
    const separate = command.includes(',') ? '; rows marked "measured in a separate run" come from the other files named in the command' : '';
    out.push(`The records were produced by \`npm run -s bench -- --json > bench/results/latest.jsonl\` (committed beside the bench)${separate}.`, '');
  }
  const targets = records.filter((r) => r.target);
  out.push('## Targets', '');
  out.push('| target | measured | status |', '|---|---|---|');
  for (const r of targets) {
    const d = describe(r);
    let measured = d[2];
    if (r.name.startsWith('hover.')) measured = `p95 ${num(r.early_p95_us, ' µs')} after 30 warm-up hovers (median ${num(r.early_median_us, ' µs')}), p95 ${num(r.p95_us, ' µs')} at steady state (median ${num(r.median_us, ' µs')})`;
    if (r.name === 'vscode.cold') measured = `cold ${num(r.median_ms, ' ms')} vs empty webview ${num(r.empty_ms, ' ms')} = ${num(r.ratio, '×')}`;
    if (r.name === 'vscode.large') measured = `${Number.isFinite(r.median_ms) ? `fitted ${num(r.median_ms, ' ms')}` : `visible ${num(r.visible_ms, ' ms')}, never fitted`}, longest task ${num(r.longest_task_ms, ' ms')}`;
    if (r.name === 'cli.startup') measured = `${num(r.median_ms, ' ms')} vs micrograd ${num(r.micrograd_ms, ' ms')}`;
    if (r.name === 'view.render') measured = `cold ${num(r.cold_ms, ' ms')}, warm ${num(r.warm_numbers_ms, ' ms')} (new numbers) / ${num(r.warm_structure_ms, ' ms')} (new structure)`;
    out.push(`| ${md(r.target!)} | ${md(`${d[0]}${d[1] ? ` n=${d[1]}` : ''}: ${measured}`)} | ${r.unavailable ? 'not measured' : r.met ? '**met**' : '**not met**'} |`);
  }
  out.push('', '## All results', '');
  out.push('| benchmark | n | median | details |', '|---|---|---|---|');
  for (const r of records) {
    const d = describe(r);
    out.push(`| ${md(d[0])} | ${d[1]} | ${md(d[2])} | ${md(d[3])}${d[4] ? ` — ${md(d[4])}` : ''} |`);
  }
  out.push('');
  return out.join('\n');
}
