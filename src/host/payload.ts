/**
 * Builds the webview's GraphPayload from an analysis. Shared by the extension panel and the CLI's HTML page,
 * so both show the same view. Pure: no vscode, no DOM.
 */
import type { Analysis } from '../engine/analyze';
import type { ConstantsMode, Direction, EdgeLabelMode } from '../engine/mermaid/mermaid';
import type * as Engine from './engine';
import type { GraphPayload, InputInfo } from '../protocol';

export interface PayloadOptions {
  title: string;
  digits: number;
  /** `auto` is left to the webview (it knows the panel's shape); the Mermaid source is drawn LR then. */
  direction: Direction | 'auto';
  pinned?: boolean;
  version?: number;
  /** Settings `backpropGraph.constants`, `.constantGradients`, `.edgeLabels` (defaults 'fold', false, 'formula'). */
  constants?: ConstantsMode;
  constantGrads?: boolean;
  edgeLabels?: EdgeLabelMode;
  /** Setting `backpropGraph.collapseGroupsOver` (default READABLE_NODES): see defaultCollapsedScopes(). */
  collapseGroupsOver?: number;
  /** Where each input's value came from, by name; inputs not listed say "literal in the code" or "given". */
  sources?: Readonly<Record<string, string>>;
}

export function shortTitle(text: string, max = 80): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** `tensorToMermaid` is optional so callers with only `toMermaid` still compile; without it there is no tensor view. */
export type PayloadEngine = Pick<typeof Engine, 'toMermaid'> & Partial<Pick<typeof Engine, 'tensorToMermaid' | 'collapseScopes' | 'defaultCollapsedScopes'>>;

export function buildPayload(engine: PayloadEngine, analysis: Analysis, options: PayloadOptions): GraphPayload {
  const { graph } = analysis;
  const direction: Direction = options.direction === 'auto' ? 'LR' : options.direction;
  const inputs: InputInfo[] = graph.inputs.map((i) => ({
    name: i.name,
    value: i.value,
    grad: i.grad,
    // A symbolic graph uses no value, wherever one might have come from.
    source: graph.symbolic ? 'a symbol (no value: the graph is in formulas)' : options.sources?.[i.name] ?? (i.source === 'literal' ? 'literal in the code' : 'given'),
  }));
  const labels = { constants: options.constants ?? 'fold', constantGrads: options.constantGrads ?? false, edgeLabels: options.edgeLabels ?? 'formula' } as const;
  // Calls and loops: the groups the graph opens with collapsed (a straight-line program has none).
  const collapsedScopes = graph.scopes?.length && engine.defaultCollapsedScopes ? engine.defaultCollapsedScopes(graph, options.collapseGroupsOver) : [];
  const drawn = collapsedScopes.length && engine.collapseScopes ? engine.collapseScopes(graph, collapsedScopes) : graph;
  const payload: GraphPayload = {
    version: options.version ?? 1,
    title: options.title,
    lang: analysis.lang,
    mermaid: engine.toMermaid(drawn, { digits: options.digits, direction, ...labels }),
    graph,
    value: analysis.value,
    inputs,
    check: analysis.check?.rows,
    checkSkipped: analysis.check?.skipped,
    symbolic: analysis.symbolic,
    warnings: graph.warnings,
    digits: options.digits,
    direction: options.direction,
    pinned: options.pinned ?? false,
    ...labels,
  };
  if (collapsedScopes.length) payload.collapsedScopes = collapsedScopes;
  if (analysis.tensor && engine.tensorToMermaid) {
    // Node labels carry name/op and shape (and the value when it is a single number); matrices open in the panel.
    const mermaid = engine.tensorToMermaid(analysis.tensor, { digits: options.digits, direction, maxEntries: 1 });
    payload.tensor = { mermaid, graph: analysis.tensor };
  }
  return payload;
}
