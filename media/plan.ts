/**
 * What to draw for a payload: its scalar source, its tensor view, or a summary when the graph is too big;
 * and in which direction (the user's, or the better fit for the diagram area). Pure but for Mermaid-free
 * text work: no DOM.
 */
import type { GraphPayload } from '../src/protocol';
import type { GraphModel } from '../src/engine/graph/graph';
import type { TensorGraph } from '../src/engine/graph/tensor-view';
import { toMermaid } from '../src/engine/mermaid/mermaid';
import { collapseScopes, collapseToFit, summarize } from '../src/engine/graph/summarize';
import type { GraphView, Summary } from './drawing';
import { chooseDirection, type FlowDirection } from './layout';
import { MAX_FIT_SCALE } from './panzoom';
import { MAX_EDGES, MAX_TEXT, SPACING } from './render';
import { readSource, withDirection } from './source';

const DEFAULT_MAX_NODES = 300;
/** How many nodes a summary shows: Mermaid's layout here costs seconds beyond a few hundred nodes. */
const SUMMARY_NODES = 150;

export interface Plan {
  graph: GraphModel;
  source: string;
  direction: FlowDirection;
  summary?: Summary;
  collapsed: Set<string>;
  tensor?: TensorGraph;
  /** The groups drawn collapsed (graph.scopes ids): the user's, or the payload's, plus any collapsed to fit maxNodes. */
  collapsedScopes: number[];
}

export interface PlanContext {
  view: GraphView;
  /** Collapsed nodes the user opened. */
  expandIds: readonly string[];
  /** The diagram area's size, in screen pixels. */
  area: { width: number; height: number };
  /** The direction the same graph is drawn in now, if it is on screen (kept unless clearly beaten). */
  current?: FlowDirection;
  /** The user's choice of groups for this payload's scopes (unset: the payload's collapsedScopes). */
  groups?: { collapsed: readonly number[]; opened: readonly number[] };
}

/** Identifies a graph's groups: a new payload with the same key keeps the user's collapsed and opened groups. */
export function scopesKey(graph: GraphModel): string {
  return (graph.scopes ?? []).map((s) => `${s.id}/${s.parent ?? ''}/${s.kind}/${s.title}`).join('\n');
}

const sameSet = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x) => b.includes(x));

/** The direction to draw `source` in: the user's (setting graphDirection), or for 'auto' the better fit for the area. */
function directionFor(payload: GraphPayload, source: string, ctx: PlanContext): FlowDirection {
  if (payload.direction !== 'auto') return payload.direction;
  return chooseDirection(readSource(source), ctx.area, SPACING, MAX_FIT_SCALE, ctx.current);
}

export function planDrawing(payload: GraphPayload, ctx: PlanContext): Plan {
  if (ctx.view === 'tensor' && payload.tensor) {
    const direction = directionFor(payload, payload.tensor.mermaid, ctx);
    return { graph: payload.graph, source: withDirection(payload.tensor.mermaid, direction), direction, collapsed: new Set(), tensor: payload.tensor.graph, collapsedScopes: [] };
  }
  const maxNodes = payload.maxNodes ?? DEFAULT_MAX_NODES;
  const total = payload.graph.nodes.length;
  // Groups first (the program's structure): the user's choice or the payload's; then, over maxNodes, whole
  // levels of groups the user did not open, innermost first; only then the summary by count below.
  const fromPayload = payload.collapsedScopes ?? [];
  let collapsedScopes = [...(ctx.groups?.collapsed ?? fromPayload)];
  let graph = collapseScopes(payload.graph, collapsedScopes);
  if (graph.nodes.length > maxNodes && payload.graph.scopes?.length) {
    const opened = new Set(ctx.groups?.opened ?? []);
    collapsedScopes = [...collapseToFit(payload.graph, maxNodes, { start: collapsedScopes, allowed: (s) => !opened.has(s.id) })].sort((a, b) => a - b);
    graph = collapseScopes(payload.graph, collapsedScopes);
  }
  const asPayload = sameSet(collapsedScopes, fromPayload);
  const tooBig = graph.nodes.length > maxNodes || graph.edges.length > MAX_EDGES || (asPayload && payload.mermaid.length > MAX_TEXT);
  if (!tooBig && !ctx.expandIds.length) {
    // The payload's own source when it draws these groups; else the emitter again, with the payload's settings.
    const source = asPayload ? payload.mermaid : toMermaid(graph, { direction: 'LR', digits: payload.digits, constants: payload.constants, constantGrads: payload.constantGrads, edgeLabels: payload.edgeLabels });
    const direction = directionFor(payload, source, ctx);
    return { graph, source: withDirection(source, direction), direction, summary: payload.summarized, collapsed: new Set(), collapsedScopes };
  }
  const s = summarize(graph, Math.min(maxNodes, SUMMARY_NODES), { expand: [...ctx.expandIds] });
  // The payload's label settings, as the extension's own toMermaid call used them.
  const draft = toMermaid(s.graph, { direction: 'LR', digits: payload.digits, constants: payload.constants, constantGrads: payload.constantGrads, edgeLabels: payload.edgeLabels });
  const direction = directionFor(payload, draft, ctx);
  const summary = s.collapsed.length
    ? { shownNodes: s.graph.nodes.length, totalNodes: total, reason: `the graph has ${total} nodes (more than ${maxNodes})` }
    : payload.summarized;
  return { graph: s.graph, source: withDirection(draft, direction), direction, summary, collapsed: new Set(s.collapsed.map((c) => c.id)), collapsedScopes };
}
