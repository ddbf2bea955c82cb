/**
 * `npm run bench`: the benchmark (not timed tests). Each section runs in its own node process, so one
 * section's heap and JIT state do not colour the next.
 *
 *   npm run bench                                  readable table
 *   npm run -s bench -- --json                     one JSON object per line
 *   npm run bench -- --only tracer,hover           some sections
 *   npm run bench -- --skip vscode                 all sections but these (vscode: the code-server run)
 *   npm run bench -- --markdown docs/BENCHMARKS.md also write the markdown report
 *   node bench/.out/run.js --render results.jsonl --markdown out.md   re-render saved --json output
 *   node bench/.out/run.js --render main.jsonl,more.jsonl …          … plus sections measured in another run
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, type as osType } from 'node:os';
import { join, resolve } from 'node:path';
import { frontendsSection } from './frontends';
import { cliSection } from './cli';
import { footprintSection } from './footprint';
import { hoverSection } from './hover';
import { markdown, table, type Machine } from './report';
import { microgradSection, tapeProcess, tracerSection } from './tracer';
import type { BenchRecord } from './util';
import { viewSection } from './view';
import { vscodeSection } from './vscode';

const ROOT = resolve(__dirname, '../..');
const BENCH = join(ROOT, 'bench');
const SECTIONS = ['tracer', 'micrograd', 'frontends', 'hover', 'view', 'footprint', 'cli', 'vscode'] as const;
type Section = (typeof SECTIONS)[number];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** JSON with NaN/Infinity as null. */
function line(r: BenchRecord): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

async function runSection(section: Section): Promise<void> {
  const emit = (r: BenchRecord) => process.stdout.write(`${line(r)}\n`);
  switch (section) {
    case 'tracer': return tracerSection(emit);
    case 'micrograd': return microgradSection(emit, BENCH);
    case 'frontends': return frontendsSection(emit);
    case 'hover': return hoverSection(emit);
    case 'view': return viewSection(emit, ROOT);
    case 'footprint': return footprintSection(emit, ROOT);
    case 'cli': return cliSection(emit, ROOT);
    case 'vscode': return vscodeSection(emit, ROOT);
  }
}

/** Runs one section in a child process, handing each record to `onRecord` as it arrives. */
function child(section: Section, onRecord: (r: BenchRecord) => void): Promise<void> {
  return new Promise((ok) => {
    const p = spawn(process.execPath, ['--max-old-space-size=4096', __filename, '--section', section], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (d: string) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const text = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (text.startsWith('{')) onRecord(JSON.parse(text) as BenchRecord);
      }
    });
    p.on('close', (code) => {
      if (code !== 0) onRecord({ name: section, median_ms: NaN, unavailable: `section crashed (exit ${code})` });
      ok();
    });
  });
}

/**
 * The tape's figures vary between processes on this VM (the same code ran 17 or 35 ns/node at 1e3 in
 * back-to-back processes: JIT and host noise), so the tracer section runs in PROCESSES processes and each
 * figure is the median process's record, with the range over all of them (microgradSection times the tape
 * in processes of its own).
 */
const PROCESSES: Partial<Record<Section, number>> = { tracer: 3 };

async function sectionRecords(section: Section, onRecord: (r: BenchRecord) => void): Promise<void> {
  const runs = PROCESSES[section] ?? 1;
  if (runs === 1) return child(section, onRecord);
  const byKey = new Map<string, BenchRecord[]>();
  for (let i = 0; i < runs; i++) {
    await child(section, (r) => {
      const key = `${r.name}|${r.n ?? ''}`;
      byKey.set(key, [...(byKey.get(key) ?? []), r]);
    });
  }
  const main = (r: BenchRecord) => (r.ns_per_node ?? r.ratio_1e6_to_1e5 ?? r.us_per_page ?? r.median_ms) as number;
  for (const all of byKey.values()) {
    const sorted = [...all].sort((a, b) => main(a) - main(b));
    const chosen = sorted[Math.floor((sorted.length - 1) / 2)];
    onRecord({ ...chosen, processes: all.length, process_min: main(sorted[0]), process_max: main(sorted[sorted.length - 1]) });
  }
}

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'not available';
  }
}

function machine(): Machine {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  return {
    cpu: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown',
    nproc: cpus().length,
    node: process.version,
    python: sh('python3', ['--version']),
    chromium: sh('/usr/bin/chromium', ['--version']),
    load: loadavg().map((l) => l.toFixed(2)).join(', '),
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    os: `${osType()} ${release()}`,
  };
}

async function main(): Promise<void> {
  const tape = arg('--tape');
  if (tape) {
    tapeProcess(Number(tape));
    return;
  }
  const section = arg('--section') as Section | undefined;
  if (section) {
    await runSection(section);
    return;
  }
  const json = process.argv.includes('--json');
  const mdPath = arg('--markdown');
  const rendered = arg('--render');
  const info = machine();
  const records: BenchRecord[] = [];
  if (rendered) {
    // Several files: the first is the main run (its machine and run records head the report); rows from the
    // others say which run they come from (a section measured again on its own, e.g. `--only cli,vscode`).
    rendered.split(',').forEach((file, i) => {
      const rows = readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as BenchRecord);
      if (i === 0) {
        records.push(...rows);
        return;
      }
      const m = rows.find((r) => r.name === 'machine');
      const whole = rows.find((r) => r.name === 'run');
      const from = `${String(m?.date ?? '?')}, load ${String(m?.load ?? '?')} → ${String(whole?.load_end ?? '?')}, ${whole ? Math.round(whole.median_ms / 1000) : '?'} s`;
      const at = records.findIndex((r) => r.name === 'run');
      records.splice(at < 0 ? records.length : at, 0, ...rows.filter((r) => r.name !== 'machine' && r.name !== 'run').map((r) => ({ ...r, separate_run: from })));
    });
  } else {
    const skip = arg('--skip')?.split(',') ?? [];
    const only = (arg('--only')?.split(',') ?? [...SECTIONS]).filter((s) => !skip.includes(s));
    const started = performance.now();
    const machineRecord = { name: 'machine', median_ms: NaN, ...info } as BenchRecord;
    records.push(machineRecord);
    if (json) process.stdout.write(`${line(machineRecord)}\n`);
    if (!json) process.stdout.write(`Backprop Graph benchmark — ${info.cpu}, ${info.nproc} cores, node ${info.node}, load ${info.load}\n\n`);
    for (const s of SECTIONS.filter((x) => only.includes(x))) {
      const mine: BenchRecord[] = [];
      await sectionRecords(s, (r) => {
        mine.push(r);
        records.push(r);
        if (json) process.stdout.write(`${line(r)}\n`);
      });
      if (!json) process.stdout.write(`${table(mine)}\n\n`);
    }
    const runRecord: BenchRecord = { name: 'run', median_ms: Math.round(performance.now() - started), sections: only.join(','), load_end: loadavg().map((l) => l.toFixed(2)).join(', ') };
    records.push(runRecord);
    if (json) process.stdout.write(`${line(runRecord)}\n`);
    else process.stdout.write(`whole run: ${(runRecord.median_ms / 1000).toFixed(1)} s\n`);
  }
  if (rendered && !mdPath) process.stdout.write(`${table(records)}\n`);
  if (mdPath) {
    const notes = join(BENCH, 'notes.md');
    const command = rendered ? `node bench/.out/run.js --render ${rendered} --markdown ${mdPath}` : `npm run bench -- ${process.argv.slice(2).join(' ')}`;
    let text = markdown(records, info, command);
    if (existsSync(notes)) text += `\n${readFileSync(notes, 'utf8')}`;
    writeFileSync(mdPath, text);
    if (!json) process.stdout.write(`wrote ${mdPath}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
