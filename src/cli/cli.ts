/**
 * backprop-graph: the engine without VS Code.
 *   backprop-graph [EXPR|-] [--lang math|ts|python] [--at NAME=VALUE[,NAME=VALUE…]]… [--format text|mermaid|json|html]
 *                  [--out FILE] [--digits N] [--direction LR|TB|RL|BT] [--constants fold|nodes] [--constant-grads]
 *                  [--edge-labels formula|number] [--max-steps N] [--max-depth N] [--open-groups]
 * Exit codes: 0 success; 2 bad input or usage (one line on stderr naming the problem and where); 1 internal error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Analysis } from '../engine/analyze';
import type { ConstantsMode, Direction, EdgeLabelMode } from '../engine/mermaid/mermaid';
import type { TensorValue } from '../engine/base/tensor-value';
import { loadEngine } from '../host/lazy';
import { buildPayload, shortTitle } from '../host/payload';
import { selfContainedHtml } from '../host/webview-html';

const USAGE = `usage: backprop-graph [EXPR|-] [--lang math|ts|python] [--at NAME=VALUE[,NAME=VALUE...]]...
                      [--format text|mermaid|json|html] [--out FILE] [--digits N] [--direction LR|TB|RL|BT]
                      [--constants fold|nodes] [--constant-grads] [--edge-labels formula|number]
                      [--max-steps N] [--max-depth N] [--open-groups]

Traces EXPR (math like "(x^2+1)^3" or TypeScript like "Math.sin(x ** 2 + 1)"; read from stdin when absent
or "-"), runs reverse-mode autodiff, and prints every node's value and gradient ∂out/∂node.

examples:
  backprop-graph "(x^2+1)^3" --at x=2
  backprop-graph "Math.tanh(w * x + b)" --at w=0.5,x=2,b=-1 --format mermaid
  echo "x ** 3 + 2 * x" | backprop-graph --at x=1 --format json
  backprop-graph "sum(relu(W * v))" --at "W=[[1,-2],[3,4]],v=[1,1]"

VALUE is a number, or a vector/matrix as a JSON array.
--constants fold (default) draws a literal inside its op's node (x², u + 1); nodes gives it a node of its own.
--constant-grads also shows constants' gradients (JSON: otherwise grad, local and product are null for them).
--edge-labels formula (default) labels an edge "2x = 4" when its local derivative has a short formula.
--max-steps N (default 1000000) stops a program with loops or functions after N interpreted steps;
--max-depth N (default 1000) stops it when calls nest deeper than N (runaway recursion).

Function calls and loops are drawn as groups (Mermaid subgraphs); a graph of more than 40 nodes collapses the
calls nested in the top-level calls, innermost first (as the panel opens it); --open-groups draws every group open.`;

/** A user mistake: reported as one line on stderr with exit code 2, never a stack trace. */
class UsageError extends Error {}

interface CliOptions {
  expr?: string;
  lang: 'math' | 'ts' | 'python' | 'auto';
  /** Numbers, or vectors/matrices given as JSON arrays (`--at W1=[[1,2],[3,4]]`). */
  values: Record<string, TensorValue>;
  format: 'text' | 'mermaid' | 'json' | 'html';
  out?: string;
  digits: number;
  /** Given with --direction; unset: LR for the Mermaid source, and the HTML page picks one for its window. */
  direction?: Direction;
  /** How mermaid/text/html draw literals; JSON always lists every node. */
  constants: ConstantsMode;
  /** Show constants' gradients (and their edges' local derivatives and products). */
  constantGrads: boolean;
  edgeLabels: EdgeLabelMode;
  /** The interpreter's budgets (--max-steps, --max-depth); unset: the engine's defaults. */
  maxSteps?: number;
  maxDepth?: number;
  /** Draw every group open (mermaid/html), instead of the panel's default collapsing. */
  openGroups: boolean;
}

const NAME = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;

/** Splits `x=1,W=[[1,2],[3,4]]` at the commas outside brackets. */
function splitTopLevel(spec: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i];
    if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(spec.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(spec.slice(start));
  return parts;
}

/** A number, or a vector/matrix of finite numbers as a JSON array. */
function parseValue(raw: string, item: string): TensorValue {
  if (raw.startsWith('[')) {
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      throw new UsageError(`--at ${item}: '${raw}' is not a JSON array of numbers`);
    }
    const isRow = (r: unknown): r is number[] => Array.isArray(r) && r.length > 0 && r.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (isRow(v)) return v;
    if (Array.isArray(v) && v.length > 0 && v.every(isRow)) {
      if (v.some((row) => row.length !== v[0].length)) throw new UsageError(`--at ${item}: the rows of a matrix must have the same length`);
      return v;
    }
    throw new UsageError(`--at ${item}: expected a vector [1, 2] or a matrix [[1, 2], [3, 4]] of finite numbers`);
  }
  const value = raw === '' ? NaN : Number(raw);
  if (!Number.isFinite(value)) throw new UsageError(`--at ${item}: '${raw}' is not a finite number`);
  return value;
}

export function parseValues(spec: string, into: Record<string, TensorValue>): void {
  for (const part of splitTopLevel(spec)) {
    const item = part.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    if (eq < 0) throw new UsageError(`--at ${item}: expected NAME=VALUE`);
    const name = item.slice(0, eq).trim();
    const raw = item.slice(eq + 1).trim();
    if (!NAME.test(name)) throw new UsageError(`--at ${item}: '${name}' is not a variable name`);
    into[name] = parseValue(raw, item);
  }
}

export function parseArgs(argv: readonly string[]): CliOptions | 'help' | 'version' {
  // values is keyed by user text: no prototype, so `--at __proto__=1` is a value like any other.
  const o: CliOptions = {
    lang: 'auto', values: Object.create(null), format: 'text', digits: 6, constants: 'fold', constantGrads: false, edgeLabels: 'formula', openGroups: false,
  };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') && !arg.startsWith('--at=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '-h': case '--help': return 'help';
      case '-v': case '--version': return 'version';
      case '--lang': {
        const v = value();
        if (v !== 'math' && v !== 'ts' && v !== 'python' && v !== 'auto') throw new UsageError(`--lang ${v}: expected math, ts or python`);
        o.lang = v;
        break;
      }
      case '--at': parseValues(value(), o.values); break;
      case '--format': case '-f': {
        const v = value();
        if (v !== 'text' && v !== 'mermaid' && v !== 'json' && v !== 'html') throw new UsageError(`--format ${v}: expected text, mermaid, json or html`);
        o.format = v;
        break;
      }
      case '--out': case '-o': o.out = value(); break;
      case '--digits': {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 1 || v > 17) throw new UsageError('--digits: expected an integer from 1 to 17');
        o.digits = v;
        break;
      }
      case '--direction': {
        const v = value().toUpperCase();
        if (v !== 'LR' && v !== 'TB' && v !== 'RL' && v !== 'BT') throw new UsageError(`--direction ${v}: expected LR, TB, RL or BT`);
        o.direction = v;
        break;
      }
      case '--constants': {
        const v = value();
        if (v !== 'fold' && v !== 'nodes') throw new UsageError(`--constants ${v}: expected fold or nodes`);
        o.constants = v;
        break;
      }
      case '--constant-grads':
        if (inline !== undefined) throw new UsageError('--constant-grads takes no value');
        o.constantGrads = true;
        break;
      case '--open-groups': o.openGroups = true; break;
      case '--edge-labels': {
        const v = value();
        if (v !== 'formula' && v !== 'number') throw new UsageError(`--edge-labels ${v}: expected formula or number`);
        o.edgeLabels = v;
        break;
      }
      case '--max-steps': case '--max-depth': {
        const raw = value();
        const v = Number(raw);
        if (!Number.isInteger(v) || v < 1 || v > 1e9) throw new UsageError(`${flag} ${raw}: expected a whole number from 1 to 1000000000`);
        if (flag === '--max-steps') o.maxSteps = v;
        else o.maxDepth = v;
        break;
      }
      default:
        if (arg.startsWith('--at=')) parseValues(arg.slice(5), o.values);
        else if (arg.startsWith('-') && arg !== '-' && !/^-[\d.(]/.test(arg)) throw new UsageError(`unknown option ${arg}`);
        else positional.push(arg);
    }
  }
  if (positional.length > 1) throw new UsageError(`expected one expression, got ${positional.length} (quote it: "${positional.join(' ')}")`);
  if (positional.length === 1 && positional[0] !== '-') o.expr = positional[0];
  return o;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => [...r[c]].length)));
  return rows.map((r) => r.map((cell, c) => pad(cell, widths[c] + (cell.length - [...cell].length))).join('  ').trimEnd()).join('\n');
}

/** The label options of the CLI's flags. */
function labelOptions(o: Pick<CliOptions, 'digits' | 'constants' | 'constantGrads' | 'edgeLabels'>) {
  return { digits: o.digits, constants: o.constants, constantGrads: o.constantGrads, edgeLabels: o.edgeLabels };
}

export function renderText(a: Analysis, text: string, o: CliOptions): string {
  const { formatNumber, isDrawn, nodeTitle, showsGradient } = loadEngine();
  const labels = { ...labelOptions(o), graph: a.graph };
  const fmt = (v: number) => formatNumber(v, o.digits);
  const out: string[] = [];
  out.push(`expression: ${text.replace(/\s+/g, ' ').trim()}`);
  const langName = { math: 'math', ts: 'TypeScript', python: 'Python' }[a.lang];
  out.push(`language:   ${langName}${a.detected ? ' (detected; use --lang to choose)' : ''}`);
  const symbolic = a.graph.symbolic === true;
  const outputNode = a.graph.nodes.find((n) => n.id === a.graph.output);
  out.push(`value:      ${symbolic ? outputNode?.symbolic?.value ?? '…' : fmt(a.value)}`);
  if (symbolic) {
    const names = a.graph.inputs.map((i) => i.name);
    const given = names.length ? ` (give them with --at ${names.map((n) => `${n}=…`).join(',')})` : '';
    const abstract = a.graph.nodes.some((n) => n.op === 'fn');
    out.push(`symbolic:   ${abstract ? 'the output goes through an undefined function, so values and gradients are formulas' : `no values given, so values and gradients are formulas${given}`}`);
  }
  out.push('');
  out.push('nodes (forward value, gradient ∂out/∂node):');
  const rows = [['id', 'node', 'value', 'grad', 'at']];
  for (const n of a.graph.nodes) {
    if (!isDrawn(n, a.graph, labels)) continue;
    const shown = showsGradient(n, labels);
    const value = n.symbolic ? n.symbolic.value : fmt(n.value);
    const grad = !shown ? '-' : n.symbolic ? n.symbolic.grad ?? '…' : fmt(n.grad);
    rows.push([n.id, nodeTitle(n, labels) + (n.id === a.graph.output ? '  (output)' : ''), value, grad, n.span ? `${n.span.line}:${n.span.col}` : '']);
  }
  out.push(table(rows).replace(/^/gm, '  '));
  if (symbolic) {
    out.push('');
    out.push('edges (local derivative ∂to/∂from):');
    const erows = [['from', 'to', 'local']];
    for (const e of a.graph.edges) {
      const from = a.graph.nodes.find((n) => n.id === e.from);
      if (from && isDrawn(from, a.graph, labels) && showsGradient(from, labels)) erows.push([e.from, e.to, e.localFormula ?? '…']);
    }
    out.push(table(erows).replace(/^/gm, '  '));
  }
  if (a.graph.scopes?.length) {
    out.push('');
    out.push('groups (calls and loops, as drawn):');
    const depth = new Map<number, number>();
    const counts = new Map<number, number>();
    for (const n of a.graph.nodes) if (n.scope !== undefined) counts.set(n.scope, (counts.get(n.scope) ?? 0) + 1);
    for (const s of a.graph.scopes) {
      depth.set(s.id, s.parent === undefined ? 0 : (depth.get(s.parent) ?? 0) + 1);
      const own = counts.get(s.id) ?? 0;
      out.push(`  ${'  '.repeat(depth.get(s.id)!)}${s.title}${own ? `  (${own} node${own === 1 ? '' : 's'})` : ''}`);
    }
  }
  const note = loadEngine().branchNote(a.graph);
  if (note) {
    out.push('');
    out.push(note);
  }
  out.push('');
  if (symbolic) out.push('gradients: symbolic (below); no numbers to check by finite differences');
  else out.push('gradients (analytic backprop vs central finite differences):');
  const checks = new Map((a.check?.rows ?? []).map((r) => [r.name, r]));
  const grows = [['input', 'value', '∂out/∂input', 'numeric', 'check']];
  for (const i of a.graph.inputs) {
    const c = checks.get(i.name);
    grows.push([i.name, fmt(i.value), fmt(i.grad), c ? fmt(c.numeric) : '-', c ? `${c.ok ? 'ok' : 'MISMATCH'} (rel. error ${c.error.toExponential(1)})` : '-']);
  }
  if (!symbolic) out.push(grows.length > 1 ? table(grows).replace(/^/gm, '  ') : '  (no inputs: the expression has no variables)');
  if (a.check?.skipped) out.push(`  ${a.check.skipped}`);
  if (a.tensor) {
    const { formatTensor, shapeText, tensorGradients } = loadEngine();
    out.push('');
    out.push('tensor view (one node per matrix op):');
    for (const n of a.tensor.nodes) {
      const title = n.kind === 'op' && n.name !== undefined ? `${n.name} = ${n.label}` : n.name ?? n.label;
      out.push(`  ${title}  ${shapeText(n.shape)}  value ${formatTensor(n.value, o.digits)}`);
    }
    out.push('');
    out.push('gradient of the output with respect to each input tensor:');
    for (const [name, g] of Object.entries(tensorGradients(a.graph))) out.push(`  ∂/∂${name} = ${formatTensor(g, o.digits)}`);
  }
  if (a.symbolic?.length) {
    out.push('');
    out.push('symbolic derivatives:');
    const reasons = new Set(a.symbolic.map((s) => s.unavailable));
    // One reason for all (e.g. a matrix program): say it once rather than per element.
    if (a.symbolic.length > 1 && reasons.size === 1 && !reasons.has(undefined)) out.push(`  (${a.symbolic[0].unavailable})`);
    else for (const s of a.symbolic) out.push(`  ∂/∂${s.variable} = ${s.derivative ?? `(${s.unavailable})`}`);
  }
  if (a.graph.warnings.length) {
    out.push('');
    out.push('warnings:');
    for (const w of a.graph.warnings) out.push(`  ${w}`);
  }
  return out.join('\n') + '\n';
}

/** JSON cannot hold NaN/±Infinity: they are written as the strings "NaN", "Infinity", "-Infinity". */
function jsonNumber(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

/**
 * The analysis as JSON. Every model node keeps its place; a node whose gradient is not shown (a constant,
 * unless `constantGrads`; a literal exponent always) has `grad: null`, and the edges leaving it
 * `local: null, product: null`. For every other node, grad = Σ product over its outgoing edges (output: 1).
 */
export function renderJson(a: Analysis, o: Pick<CliOptions, 'constantGrads'> = { constantGrads: false }): string {
  const { graph } = a;
  const { showsGradient } = loadEngine();
  const hidden = new Set(graph.nodes.filter((n) => !showsGradient(n, o)).map((n) => n.id));
  if (graph.symbolic) {
    // A symbolic graph has no numbers: its values, gradients and local derivatives are formulas.
    return JSON.stringify({
      lang: a.lang,
      symbolicGraph: true,
      value: null,
      nodes: graph.nodes.map((n) => ({ ...n, value: null, grad: null })),
      edges: graph.edges.map(({ from, to, localFormula }) => (hidden.has(from) ? { from, to } : { from, to, localFormula })),
      warnings: graph.warnings,
      symbolic: a.symbolic,
    }, jsonNumber, 2) + '\n';
  }
  return JSON.stringify({
    lang: a.lang,
    value: a.value,
    gradients: a.gradients,
    nodes: graph.nodes.map((n) => (hidden.has(n.id) ? { ...n, grad: null } : n)),
    edges: graph.edges.map(({ from, to, local, upstream, product }) =>
      (hidden.has(from) ? { from, to, local: null, upstream, product: null } : { from, to, local, upstream, product })),
    warnings: graph.warnings,
    // Programs with calls and loops: each node's `scope` is one of these; branches are the conditions taken.
    scopes: graph.scopes,
    branches: graph.branches,
    note: loadEngine().branchNote(graph),
    check: a.check?.rows,
    symbolic: a.symbolic,
    // Matrix programs: each input tensor's gradient in its own shape (`gradients` has one entry per element).
    // Interpreted programs: each list input's gradient as a list (`xs` → [∂/∂xs[0], …]).
    tensorGradients: a.tensor ? loadEngine().tensorGradients(a.graph) : a.listGradients,
  }, jsonNumber, 2) + '\n';
}

/** The Mermaid source: groups as the panel opens them (or all open with --open-groups). */
function renderMermaid(a: Analysis, o: CliOptions): string {
  const engine = loadEngine();
  const collapsed = o.openGroups ? [] : engine.defaultCollapsedScopes(a.graph);
  return engine.toMermaid(engine.collapseScopes(a.graph, collapsed), { ...labelOptions(o), direction: o.direction ?? 'LR' });
}

function renderHtml(a: Analysis, text: string, o: CliOptions): string {
  // Matrix entries (`W[0,1]`) came from the --at of their matrix (`W`).
  const sources = Object.fromEntries(a.graph.inputs.filter((i) => i.name.replace(/\[.*$/, '') in o.values).map((i) => [i.name, '--at']));
  const payload = buildPayload(loadEngine(), a, {
    title: shortTitle(text), digits: Math.min(o.digits, 4), direction: o.direction ?? 'auto', sources,
    constants: o.constants, constantGrads: o.constantGrads, edgeLabels: o.edgeLabels,
    ...(o.openGroups ? { collapseGroupsOver: Infinity } : {}),
  });
  // The webview built as one classic script (the panel's build is an ES module with chunks): see build/esbuild.mjs.
  return selfContainedHtml({ script: readFileSync(join(__dirname, 'webview-inline.js'), 'utf8'), css: readFileSync(join(__dirname, 'webview-inline.css'), 'utf8'), payload });
}

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    throw new UsageError('no expression given and stdin could not be read');
  }
}

export function main(argv: readonly string[]): number {
  try {
    const parsed = parseArgs(argv);
    if (parsed === 'help') { process.stdout.write(USAGE + '\n'); return 0; }
    if (parsed === 'version') { process.stdout.write(`${require('../../package.json').version}\n`); return 0; }
    if (parsed.expr === undefined && process.stdin.isTTY) throw new UsageError(`no expression given\n${USAGE}`);
    const text = parsed.expr ?? readStdin();
    if (!text.trim()) throw new UsageError('the expression is empty');
    const engine = loadEngine();
    const result = engine.analyze(text, {
      lang: parsed.lang,
      values: parsed.values,
      symbolic: parsed.format !== 'mermaid',
      gradCheck: parsed.format !== 'mermaid',
      budgets: { maxSteps: parsed.maxSteps, maxCallDepth: parsed.maxDepth },
    });
    if (!result.ok) {
      process.stderr.write(`backprop-graph: ${result.error.format()}\n`);
      return 2;
    }
    const a = result.value;
    const output =
      parsed.format === 'json' ? renderJson(a, parsed)
      : parsed.format === 'mermaid' ? renderMermaid(a, parsed)
      : parsed.format === 'html' ? renderHtml(a, text, parsed)
      : renderText(a, text, parsed);
    if (parsed.out) writeFileSync(parsed.out, output);
    else process.stdout.write(output);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`backprop-graph: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`backprop-graph: internal error: ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
