/**
 * One ```backprop fence of a markdown document → what the preview shows: the graph's Mermaid source (from the
 * one emitter) with the output's value and the inputs' gradients, or an error with its document line:col.
 * The fence is read as the panel reads it (tracer.ts): earlier statements it depends on and literal values
 * from the page (the fence's own `x=2` first) are composed in. Pure: no vscode, no Node, no DOM; the engine
 * is handed in, so the TypeScript compiler loads only for a fence that needs it. Never throws, never runs code.
 */
import type * as Engine from '../host/engine';
import type { Lang, Program } from '../engine/ast/ir';
import type { BackpropError } from '../engine/base/errors';
import { LineIndex } from '../engine/base/span';
import type { ConstantsMode, EdgeLabelMode } from '../engine/mermaid/mermaid';
import { compose, toDocOffset, type Segment } from '../vscode/text/compose';
import { latexToMath } from '../vscode/text/latex';
import type { Assignment, Block } from '../vscode/text/scan';
import { knownValues } from '../vscode/text/values';

/** What the preview needs of the engine: the same functions the panel's tracer calls. */
export type FenceEngine = Pick<typeof Engine, 'analyze' | 'parseProgram' | 'detectLang' | 'freeVariables' | 'toMermaid'>;

export interface FenceSettings {
  digits: number;
  constants: ConstantsMode;
  constantGrads: boolean;
  edgeLabels: EdgeLabelMode;
  /** Larger graphs are not drawn in the preview (the panel summarizes them). */
  maxNodes: number;
}

export const DEFAULT_FENCE_SETTINGS: FenceSettings = { digits: 4, constants: 'fold', constantGrads: false, edgeLabels: 'formula', maxNodes: 300 };

export interface FenceInput { name: string; value: number; grad: number }

export type FenceOutcome =
  | { kind: 'graph'; lang: Lang; mermaid: string; value: number; outputName?: string; inputs: FenceInput[]; nodeCount: number }
  | { kind: 'error'; message: string; line: number; col: number };

/** The document (as the preview renders it) and the fence's block in it, found by scanMarkdown. */
export interface FenceTarget {
  doc: string;
  block: Block;
  /** Literal and other assignments of the whole document (documentAssignments), computed once per render. */
  assignments: readonly Assignment[];
  /** Added to every reported line (a fence traced out of a copy of its own text, e.g. inside a list). */
  lineOffset?: number;
}

export function traceFence(engine: FenceEngine, target: FenceTarget, settings: FenceSettings): FenceOutcome {
  const { doc, block } = target;
  const lines = new LineIndex(doc);
  const fail = (message: string, offset: number): FenceOutcome => {
    const at = lines.position(Math.max(0, Math.min(offset, doc.length)));
    return { kind: 'error', message, line: at.line + (target.lineOffset ?? 0), col: at.col };
  };
  const failWith = (error: BackpropError, segments: Segment[] | undefined): FenceOutcome => {
    if (!error.span) return fail(error.message, block.start);
    return fail(error.message, segments ? toDocOffset(segments, error.span.start) : block.start + error.span.start);
  };
  try {
    const info = block.backprop;
    if (info?.error) return fail(info.error.message, info.error.start);
    const text = doc.slice(block.start, block.end);
    if (!text.trim()) return fail('empty ```backprop block: write an expression or code to trace in it', block.outerStart);
    const lang = (block.lang ?? engine.detectLang(text)) as Lang;
    const alone = engine.parseProgram(lang === 'math' ? latexToMath(text) : text, lang);
    if (!alone.ok) return failWith(alone.error, undefined);
    const needed = (p: Program) => [...p.params.map((x) => x.name), ...engine.freeVariables(p).map((x) => x.name)];
    const composed = compose(doc, block, lang, target.assignments, needed(alone.value));
    const parsed = composed.included.length ? engine.parseProgram(composed.text, lang) : alone;
    if (!parsed.ok) return failWith(parsed.error, composed.segments);
    const { values, missing } = knownValues(needed(parsed.value), composed.values, {}, {});
    if (missing.length) {
      const example = missing.map((name) => `${name}=1`).join(' ');
      return fail(`no value for ${missing.join(', ')}: give ${missing.length === 1 ? 'it' : 'them'} in the fence (\`\`\`backprop ${example}) or assign ${missing.length === 1 ? 'it' : 'them'} in the block or above it`, block.outerStart);
    }
    const result = engine.analyze(composed.text, { lang, values, gradCheck: false, symbolic: false });
    if (!result.ok) return failWith(result.error, composed.segments);
    const { graph } = result.value;
    if (graph.nodes.length > settings.maxNodes) {
      return fail(`${graph.nodes.length} nodes, more than the preview draws (backpropGraph.maxNodes = ${settings.maxNodes}): open it with Show Backprop Graph, which summarizes it`, block.outerStart);
    }
    const mermaid = engine.toMermaid(graph, {
      digits: settings.digits, direction: 'LR', constants: settings.constants, constantGrads: settings.constantGrads, edgeLabels: settings.edgeLabels,
    });
    return {
      kind: 'graph', lang, mermaid, value: result.value.value,
      outputName: graph.nodes.find((n) => n.id === graph.output)?.name,
      inputs: graph.inputs.map((i) => ({ name: i.name, value: i.value, grad: i.grad })),
      nodeCount: graph.nodes.length,
    };
  } catch (e) {
    // A broken engine bundle or a bug: said in place, and the rest of the page still renders.
    return fail(`internal error: ${e instanceof Error ? e.message : String(e)}`, block.outerStart);
  }
}
