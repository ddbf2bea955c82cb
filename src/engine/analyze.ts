import { attempt, BackpropError, type Result } from './base/errors';
import { gradientCheck, type GradCheck } from './graph/gradcheck';
import { buildGraph, type GraphModel } from './graph/graph';
import type { Lang, Program } from './ast/ir';
import { OP } from './tape/ops';
import { parseMath } from './frontends/math';
import { parsePython } from './frontends/python';
import { parseTsLite } from './frontends/ts-lite';
import { attachEdgeFormulas } from './symbolic/edge-formulas';
import { attachSymbolicValues } from './symbolic/symbolic-graph';
import { symbolicDerivative, type SymbolicResult } from './symbolic/symbolic';
import type { TensorValues } from './base/tensor-value';
import { tensorView, type TensorGraph } from './graph/tensor-view';
import { trace, type Trace } from './interpreter/trace';

/** Parses TypeScript into the IR; supplied by the host so the TypeScript compiler loads only when needed. */
export type TsParser = (text: string) => Program;

export interface AnalyzeOptions {
  /** 'auto' (default) detects from the text. */
  lang?: Lang | 'auto';
  /** Values of free variables (and overrides of literal declarations): numbers, vectors `[1, 2]` or matrices `[[1, 2], [3, 4]]`. */
  values?: TensorValues;
  /** Needed for lang 'ts'. */
  tsParser?: TsParser;
  gradCheck?: boolean;
  /** Symbolic derivatives for each input (default false). */
  symbolic?: boolean;
}

export interface Analysis {
  lang: Lang;
  /** True when the language was detected rather than given. */
  detected: boolean;
  program: Program;
  trace: Trace;
  graph: GraphModel;
  value: number;
  gradients: Record<string, number>;
  check?: GradCheck;
  symbolic?: SymbolicResult[];
  /** Matrix programs: the tensor view (one node per matrix op, with value and gradient matrices). */
  tensor?: TensorGraph;
}

// Strings and method calls are not math either: reading them as TypeScript gives a precise refusal
// ("call of 'process.exit'") instead of mathjs's vaguer one.
const TS_HINTS = /\b(const|let|var|function|return)\b|=>|\bMath\.|\*\*|[{}"`]|\b(as number)\b|!\s*[)*+\-/]|:\s*number\b|\b[A-Za-z_$][\w$]*\.[A-Za-z_$][\w$]*\s*\(/;

/**
 * Marks only Python has (lowercase math./np./torch. modules, imports, torch boilerplate, micrograd's Value and
 * labels, sympy's symbols); TS_ONLY vetoes them, outside strings and # comments (f'{g.data:.4f}' is Python), and
 * counts only a line-ending ';' (micrograd's lecture writes `e = a*b; e.label = 'e'`).
 */
const PY_HINTS = /^\s*(import|from)\s+\w|\b(np|numpy|torch|math)\.\w|\.backward\(|\brequires_grad\b|^\s*print\(|\s@\s|\bValue\(|\.label\s*=|\bsymbols\(/m;
const TS_ONLY = /\b(const|let|var|function|return)\b|=>|\bMath\.|[{}]|;[ \t]*$/m;
const PY_STRINGS_AND_COMMENTS = /#[^\n]*|(['"])(?:\\.|(?!\1)[^\\\n])*\1/g;

/** Which front end should read this text. Math is the default; TypeScript when it has TypeScript's marks. */
export function detectLang(text: string): Lang {
  if (PY_HINTS.test(text) && !TS_ONLY.test(text.replace(PY_STRINGS_AND_COMMENTS, '""'))) return 'python';
  return TS_HINTS.test(text) ? 'ts' : 'math';
}

/**
 * One parser per input: TypeScript goes to the fast reader (frontends/ts-lite.ts) when the text is in its subset
 * (it builds the same IR as the compiler-based front end), else to the compiler-based `tsParser`.
 */
export function parseProgram(text: string, lang: Lang, tsParser?: TsParser): Result<Program> {
  if (lang === 'ts') {
    const lite = parseTsLite(text);
    if (lite) return { ok: true, value: lite };
    if (!tsParser) return { ok: false, error: new BackpropError('unsupported', 'TypeScript parsing is not available here') };
    return attempt(() => tsParser(text));
  }
  if (lang === 'python') return attempt(() => parsePython(text));
  return attempt(() => parseMath(text));
}

/** True when the output depends on an undefined function (sympy's Function('g')(x)), which has no numbers. */
function reachesAbstractFunction(t: Trace): boolean {
  const { tape, output } = t;
  const mark = tape.ancestors(output);
  for (let i = 0; i <= output; i++) if (mark[i] && tape.op[i] === OP.fn) return true;
  return false;
}

/**
 * Text → IR → tape (forward + backward) → graph, with the gradient check and symbolic derivatives. A sympy
 * program without values, or with an undefined function, is traced for its structure and drawn symbolically
 * (graph.symbolic): its numbers are NaN placeholders, its nodes and edges carry formulas.
 */
export function analyze(text: string, options: AnalyzeOptions = {}): Result<Analysis> {
  const detected = !options.lang || options.lang === 'auto';
  const lang: Lang = detected ? detectLang(text) : (options.lang as Lang);
  const parsed = parseProgram(text, lang, options.tsParser);
  if (!parsed.ok) return parsed;
  const program = parsed.value;
  let traced = attempt(() => trace(program, options.values ?? {}));
  // A sympy program's symbols need no values: without them, or when the output goes through an undefined
  // function (which has no numbers), its graph is drawn in formulas.
  const symbolic = program.symbolic && (traced.ok ? reachesAbstractFunction(traced.value) : traced.error.code === 'missing-value');
  if (symbolic) traced = attempt(() => trace(program, {}, { symbolic: true }));
  if (!traced.ok) return traced;
  const t = traced.value;
  const graph = buildGraph(t);
  attachEdgeFormulas(graph, t);
  if (t.symbolic) attachSymbolicValues(graph, t);
  // fromEntries defines own properties, so an input named __proto__ is a key like any other.
  const gradients: Record<string, number> = Object.fromEntries(graph.inputs.map((input) => [input.name, input.grad]));
  const analysis: Analysis = { lang, detected, program, trace: t, graph, value: t.tape.value[t.output], gradients };
  if (t.symbolic) {
    // No numbers to check; the symbolic derivatives are the answer.
    analysis.symbolic = graph.inputs.map((i) => symbolicDerivative(program, i.name));
    return { ok: true, value: analysis };
  }
  if (options.gradCheck !== false) analysis.check = gradientCheck(t);
  if (graph.groups) analysis.tensor = tensorView(graph);
  if (options.symbolic && graph.groups) {
    // The unrolled program has one input per matrix entry; a symbolic form of each would not help a reader.
    analysis.symbolic = graph.inputs.map((i) => ({ variable: i.name, unavailable: 'no symbolic derivatives for matrix programs; the numeric gradients are exact' }));
  } else if (options.symbolic) {
    analysis.symbolic = graph.inputs.map((i) => symbolicDerivative(program, i.name));
  }
  return { ok: true, value: analysis };
}
