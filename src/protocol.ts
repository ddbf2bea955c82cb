/**
 * The one message protocol between the extension host and the graph webview (and the CLI's HTML page,
 * which embeds the same webview). Both sides import these types; every message is tagged by `kind`.
 * Pure data only: no vscode, no DOM.
 */
import type { ConstantsMode, Direction, EdgeLabelMode } from './engine/mermaid/mermaid';
import type { GraphModel } from './engine/graph/graph';
import type { GradCheckRow } from './engine/graph/gradcheck';
import type { SymbolicResult } from './engine/symbolic/symbolic';
import type { Span } from './engine/base/span';
import type { TensorGraph } from './engine/graph/tensor-view';

/** Where an input's value came from, shown beside it in the panel ("never guessed silently"). */
export interface InputInfo {
  name: string;
  value: number;
  grad: number;
  /** e.g. "line 3: const x = 2", "remembered", "input box", "--at", "literal in the selection". */
  source: string;
}

export interface GraphPayload {
  /** Monotonic per panel: the webview ignores stale updates. */
  version: number;
  /** The traced text (shortened for display). */
  title: string;
  lang: 'math' | 'ts' | 'python';
  /** Diagram source to render (already summarized when the graph was too big). */
  mermaid: string;
  /** The full graph model: node ids in `mermaid` are these ids (for clicks, stepping, highlighting). */
  graph: GraphModel;
  value: number;
  inputs: InputInfo[];
  check?: GradCheckRow[];
  checkSkipped?: string;
  symbolic?: SymbolicResult[];
  warnings: string[];
  /** Set when `mermaid` shows a summarized graph. */
  summarized?: { shownNodes: number; totalNodes: number; reason: string };
  /** Graphs with more nodes are summarized by the webview itself (setting `maxNodes`; default 300). */
  maxNodes?: number;
  digits: number;
  /** `auto`: the webview picks one for the panel's shape (TB when tall and narrow, LR when wide); `mermaid` is LR then. */
  direction: Direction | 'auto';
  /**
   * How `mermaid` draws literals (setting `backpropGraph.constants`): 'fold' draws them inside their op's node,
   * so drawn nodes/edges are a subset of `graph`'s (drawnGraph() in the emitter says which); 'nodes' draws them.
   * Pass these three fields to toMermaid/nodeLabelLines/edgeLabelText as they are. Absent in a state saved
   * before they existed: then the emitter's defaults ('fold', false, 'formula') apply.
   */
  constants?: ConstantsMode;
  /** Show constants' gradients and their edges' local derivatives (setting `backpropGraph.constantGradients`). */
  constantGrads?: boolean;
  /** 'formula': edges say `2x = 4`; 'number': `4` (setting `backpropGraph.edgeLabels`). */
  edgeLabels?: EdgeLabelMode;
  pinned: boolean;
  /** The VS Code panel showing this graph (its source is stored under this id): kept in the webview state. */
  panelId?: string;
  /** Set for matrix programs: the webview then offers a tensor view (its default) beside the scalar view. */
  tensor?: TensorPayload;
  /**
   * Programs with calls and loops (graph.scopes): the groups `mermaid` draws collapsed (collapseScopes() of
   * these; defaultCollapsedScopes() chose them). The webview starts from them; the user's clicks then decide.
   */
  collapsedScopes?: number[];
}

/** The tensor view of a matrix program: one node per matrix op (node ids `t<group>`), drawn from `mermaid`. */
export interface TensorPayload {
  mermaid: string;
  graph: TensorGraph;
}

/** Extension → webview. */
export type ToWebview =
  | { kind: 'loading'; title?: string }
  | { kind: 'error'; message: string; /** "line:col" or similar, when known */ where?: string }
  | { kind: 'graph'; payload: GraphPayload }
  | { kind: 'pinned'; pinned: boolean };

/** Webview → extension. */
export type FromWebview =
  | { kind: 'ready' }
  /** A node was clicked: select its source span in the editor. */
  | { kind: 'reveal'; nodeId: string; span: Span }
  | { kind: 'copyMermaid'; text: string }
  /** `data` is SVG text for svg, a base64 data URL for png. */
  | { kind: 'save'; format: 'svg' | 'png'; data: string }
  | { kind: 'setPinned'; pinned: boolean }
  /** Rendering failed inside the webview (already shown to the user there); for the log. */
  | { kind: 'renderError'; message: string };

/** What the webview keeps in `vscode.setState` so a reload restores the view (WebviewPanelSerializer). */
export interface WebviewState {
  /** Which panel this is, so its source can be found again after a reload (also in `payload.panelId`). */
  panelId?: string;
  /** Shape version (media/validate.ts STATE_VERSION); a state of another version is dropped. Absent in the extension's initialState. */
  stateVersion?: number;
  payload?: GraphPayload;
  /** Pan and zoom, kept only for the drawing they were made on (`structure`). */
  view?: { scale: number; x: number; y: number };
  /** Which drawing `view` belongs to (direction, view and the source with labels blanked). */
  structure?: string;
  /** The view the user chose for matrix programs; unset means the default (tensor view). */
  graphView?: 'tensor' | 'scalar';
  /** The groups the user collapsed and opened, kept while new payloads have the same groups (`key`). */
  groups?: GroupChoice;
}

/** Which groups (graph.scopes ids) the user collapsed or opened, for the groups listed by `key` (media/plan.ts scopesKey). */
export interface GroupChoice {
  key: string;
  collapsed: number[];
  /** Opened by the user: never collapsed again to fit maxNodes (a summary by count is used instead). */
  opened: number[];
}

/**
 * JSON has no NaN or ±Infinity, and graphs have them (log of 0; a symbolic graph's placeholders): where a payload
 * travels as JSON text (the CLI's HTML page, an initial state), each is written as `{"$number": "NaN"}` and read
 * back with reviveNumbers. postMessage needs neither: it keeps numbers as they are.
 */
export const NUMBER_TAG = '$number';

export function encodeNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? { [NUMBER_TAG]: String(value) } : value;
}

/**
 * `vscode.setState` and the host's WebviewPanelSerializer keep state as JSON too: a saved graph with a NaN would
 * come back with null there and fail validation. State is saved tagged and read back revived.
 */
export function storableState(state: WebviewState): unknown {
  return JSON.parse(JSON.stringify(state, encodeNumbers));
}

export function revivedState(stored: unknown): unknown {
  return stored === undefined || stored === null ? stored : JSON.parse(JSON.stringify(stored), reviveNumbers);
}

export function reviveNumbers(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const tagged = keys.length === 1 && keys[0] === NUMBER_TAG ? (value as Record<string, unknown>)[NUMBER_TAG] : undefined;
  return tagged === 'NaN' || tagged === 'Infinity' || tagged === '-Infinity' ? Number(tagged) : value;
}
