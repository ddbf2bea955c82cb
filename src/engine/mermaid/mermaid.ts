/**
 * The one Mermaid emitter, and the one owner of what a node or an edge says (the webview calls
 * nodeLabelLines/edgeLabelText when it rewrites labels in place, e.g. while stepping).
 *
 * Constants: the graph model keeps every literal as a `kind: 'const'` node. By default (`constants: 'fold'`) a
 * literal is drawn inside its operation's node instead (`x²`, `u + 1`, `0.5·e`): no node, no edge of its own.
 * drawnGraph() says which model nodes and edges are drawn. With `constants: 'nodes'` literals get their own
 * nodes (micrograd's style); either way a constant's gradient is shown only with `constantGrads`, and a literal
 * exponent's never (GraphNode.noGrad).
 */
import { formatNumber } from '../base/format';
import { GRADIENT_NOTE, type GraphBranch, type GraphEdge, type GraphModel, type GraphNode } from '../graph/graph';
import { opSpec } from '../tape/ops';

export type Direction = 'LR' | 'RL' | 'TB' | 'BT';
export type ConstantsMode = 'fold' | 'nodes';
export type EdgeLabelMode = 'formula' | 'number';

/** What labels say. The field names are GraphPayload's, so a payload's settings can be passed as they are. */
export interface LabelOptions {
  /** Significant digits for values, gradients and local derivatives (default 4). */
  digits?: number;
  /** 'fold' (default): literals are drawn inside their op's node; 'nodes': as nodes of their own. */
  constants?: ConstantsMode;
  /** Show constants' gradients and the local derivatives on their edges (default false). */
  constantGrads?: boolean;
  /** 'formula' (default): an edge says `2x = 4` when the symbolic engine gave its local formula; 'number': `4`. */
  edgeLabels?: EdgeLabelMode;
  /** The graph the node or edge belongs to: needed to title a node by its folded literals, and for edges. */
  graph?: GraphModel;
}

export interface MermaidOptions extends Omit<LabelOptions, 'graph'> {
  direction?: Direction;
}

/** Edge formulas longer than this are left out (the number alone): a label must stay one short line. */
export const EDGE_FORMULA_MAX = 14;
/** An unnamed operand whose own formula is longer than this is written as PLACEHOLDER in a folded title. */
export const OPERAND_MAX = 14;
/** Stands for an unnamed operand in a folded title (`□²`): the edge into the node shows which node it is. */
export const PLACEHOLDER = '□';
/** A node's warning line is cut to this many characters (the full text is in the warnings list). */
const WARNING_MAX = 46;

/**
 * Escapes text for a quoted Mermaid label: anything but letters, digits, spaces and harmless punctuation
 * becomes a Mermaid entity code (`#60;`), so quotes, brackets, `|`, `;`, `#`, HTML and keywords such as
 * `end` or `click` are shown as text and can never end the label or start a statement.
 */
export function escapeLabel(text: string): string {
  let out = '';
  for (const ch of text) {
    out += /[\p{L}\p{N} .,:+\-−×÷=^√∛∂σ·₀-₉]/u.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  }
  return out;
}

/**
 * Escapes a subgraph title. Mermaid does not decode entity codes there (the panel does, from the source), so
 * the brackets, `=` and `;` a call or loop title is made of stay as they are: inside the quotes they cannot
 * end the title. Everything else escapeLabel() escapes is escaped the same way.
 */
export function escapeTitle(text: string): string {
  let out = '';
  for (const ch of text) out += /[()[\]=!*/%_';]/.test(ch) ? ch : escapeLabel(ch);
  return out;
}

/**
 * Node shapes: stadium input, box constant, rounded op; a collapsed group is a rounded box too (its class
 * bpGroup colours it: Mermaid's subroutine shape sizes its box narrower than its text); a branch's hexagon.
 */
export type NodeShape = 'input' | 'const' | 'op' | 'group' | 'branch';
const SHAPES: Readonly<Record<NodeShape, [string, string]>> = {
  input: ['([', '])'], const: ['[', ']'], op: ['(', ')'], group: ['(', ')'], branch: ['{{', '}}'],
};

/** One node statement, shaped by kind; the lines are already escaped. */
export function nodeStatement(id: string, kind: NodeShape, labelLines: readonly string[], indent = '  '): string {
  const [open, close] = SHAPES[kind];
  return `${indent}${id}${open}"${labelLines.join('<br/>')}"${close}`;
}

/** `class n1,n2 bpInput` statements, one per non-empty class: the webview colors nodes by these. */
export function classStatements(classes: Readonly<Record<string, readonly string[]>>): string[] {
  return Object.entries(classes).filter(([, ids]) => ids.length).map(([cls, ids]) => `  class ${ids.join(',')} bp${cls[0].toUpperCase()}${cls.slice(1)}`);
}

// ------------------------------------------------------------------------------------------ what is drawn

interface Index {
  byId: Map<string, GraphNode>;
  /** Incoming edges per node, by argument position. */
  operands: Map<string, (GraphEdge | undefined)[]>;
  consumers: Map<string, number>;
  /** Memo of formula() per node, depth and digits. */
  formulas: Map<string, [string, number]>;
}

// Labels are asked for node by node (the webview, while stepping): index each graph once.
const indexes = new WeakMap<GraphModel, Index>();

function indexOf(graph: GraphModel): Index {
  let index = indexes.get(graph);
  if (index) return index;
  index = { byId: new Map(), operands: new Map(), consumers: new Map(), formulas: new Map() };
  for (const node of graph.nodes) index.byId.set(node.id, node);
  for (const edge of graph.edges) {
    let args = index.operands.get(edge.to);
    if (!args) index.operands.set(edge.to, (args = []));
    args[edge.arg] ??= edge;
    index.consumers.set(edge.from, (index.consumers.get(edge.from) ?? 0) + 1);
  }
  indexes.set(graph, index);
  return index;
}

/** True when `node` is a literal drawn inside its consumers' nodes (fold mode; not the output; used by some op). */
export function isFolded(node: GraphNode, graph: GraphModel, options: Pick<LabelOptions, 'constants'> = {}): boolean {
  return (options.constants ?? 'fold') === 'fold' && node.kind === 'const' && node.id !== graph.output
    && (indexOf(graph).consumers.get(node.id) ?? 0) > 0;
}

/** True when the node is drawn (a folded literal is not). */
export function isDrawn(node: GraphNode, graph: GraphModel, options: Pick<LabelOptions, 'constants'> = {}): boolean {
  return !isFolded(node, graph, options);
}

/** True when views show this node's gradient: not for constants unless asked, never for a literal exponent. */
export function showsGradient(node: GraphNode, options: Pick<LabelOptions, 'constantGrads'> = {}): boolean {
  return node.kind !== 'const' || (options.constantGrads === true && !node.noGrad);
}

/** The model's nodes and edges that a view draws, in model order (the order toMermaid emits them). */
export interface DrawnGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** `edges[k]` is `graph.edges[edgeIndex[k]]`: the k-th edge of the Mermaid source is model edge edgeIndex[k]. */
  edgeIndex: number[];
}

export function drawnGraph(graph: GraphModel, options: Pick<LabelOptions, 'constants'> = {}): DrawnGraph {
  const index = indexOf(graph);
  const nodes = graph.nodes.filter((n) => !isFolded(n, graph, options));
  const edges: GraphEdge[] = [];
  const edgeIndex: number[] = [];
  graph.edges.forEach((edge, k) => {
    const from = index.byId.get(edge.from);
    if (from && isFolded(from, graph, options)) return;
    edges.push(edge);
    edgeIndex.push(k);
  });
  return { nodes, edges, edgeIndex };
}

// ------------------------------------------------------------------------------------------ node labels

const CONSTANT_NAMES: Readonly<Record<string, string>> = { pi: 'π', 'Math.PI': 'π', tau: 'τ', 'Math.E': 'e' };
const INFIX: Readonly<Record<string, [string, number]>> = {
  add: [' + ', 1], sub: [' − ', 1], mul: ['·', 2], div: ['/', 2],
};
const SUPERSCRIPT: Readonly<Record<string, string>> = {
  '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻', '−': '⁻',
};
/** Binding strength of a formula's outermost operation: 1 sums, 2 products, 3 negation, 4 powers, 5 atoms. */
const ATOM = 5;

function literalText(node: GraphNode, digits: number): string {
  if (node.name !== undefined) return CONSTANT_NAMES[node.name] ?? node.name;
  return formatNumber(node.value, digits).replace(/^-/, '−');
}

/** A formula for the node and how tightly it binds, from its operands (depth-limited: titles stay short). */
function formula(node: GraphNode, index: Index, digits: number, depth: number): [string, number] {
  if (node.kind === 'const') {
    const text = literalText(node, digits);
    return [text, text.startsWith('−') ? 3 : ATOM];
  }
  if (node.kind === 'input' || node.name !== undefined) return [node.name ?? 'input', ATOM];
  // A collapsed group (its node's op is only a stand-in) and deep operands read as `□`.
  if (depth > 2 || node.scopeNode) return [PLACEHOLDER, ATOM];
  const key = `${node.id}/${depth}/${digits}`;
  let result = index.formulas.get(key);
  if (!result) index.formulas.set(key, (result = opFormula(node, index, digits, depth)));
  return result;
}

/**
 * An operand as it appears inside another node's formula: its name, its literal, or its own formula when that
 * is short and complete (`□·□ + 2` would say less than `□`).
 */
function operandText(edge: GraphEdge | undefined, index: Index, digits: number, depth: number): [string, number] {
  const from = edge && index.byId.get(edge.from);
  if (!from) return [PLACEHOLDER, ATOM];
  const [text, strength] = formula(from, index, digits, depth + 1);
  if (from.kind !== 'op' || from.name !== undefined) return [text, strength];
  return [...text].length <= OPERAND_MAX && !text.includes(PLACEHOLDER) ? [text, strength] : [PLACEHOLDER, ATOM];
}

function opFormula(node: GraphNode, index: Index, digits: number, depth: number): [string, number] {
  const args = index.operands.get(node.id) ?? [];
  const arity = opSpec(node.op).arity;
  const [a, aStrength] = operandText(args[0], index, digits, depth);
  const [b, bStrength] = arity === 2 ? operandText(args[1], index, digits, depth) : ['', ATOM];
  const wrap = (text: string, strength: number, min: number) => (strength < min ? `(${text})` : text);
  const infix = INFIX[node.op];
  if (infix) {
    const [symbol, strength] = infix;
    // Left-associative: a − (b − c) and a/(b·c) need their parentheses, (a − b) − c does not; and a negative
    // right operand gets them too (x·(−3), u + (−1)).
    const right = Math.max(4, node.op === 'sub' || node.op === 'div' ? strength + 1 : strength);
    return [`${wrap(a, aStrength, strength)}${symbol}${wrap(b, bStrength, right)}`, strength];
  }
  if (node.op === 'pow') {
    const base = wrap(a, aStrength, ATOM);
    const exponentNode = args[1] && index.byId.get(args[1].from);
    const superscript = exponentNode?.kind === 'const' && exponentNode.name === undefined && /^[−-]?\d+$/.test(b)
      ? [...b].map((ch) => SUPERSCRIPT[ch]).join('') : undefined;
    return [superscript ? `${base}${superscript}` : `${base}^${wrap(b, bStrength, ATOM)}`, 4];
  }
  if (node.op === 'neg') return [`−${wrap(a, aStrength, 4)}`, 3];
  if (node.op === 'id') return [a, aStrength];
  return [arity === 2 ? `${node.symbol}(${a}, ${b})` : `${node.symbol}(${a})`, ATOM];
}

/** True when a literal is folded into this op's node. */
function hasFoldedOperand(node: GraphNode, graph: GraphModel, index: Index, options: LabelOptions): boolean {
  if (node.kind !== 'op') return false;
  return (index.operands.get(node.id) ?? []).some((e) => {
    const from = e && index.byId.get(e.from);
    return from !== undefined && isFolded(from, graph, options);
  });
}

/**
 * What the node is: an input's or constant's name (or the literal), an op's symbol (`+`, `tanh`) with the
 * name it is assigned to (`u = ^`). In fold mode an op with a literal operand reads as a formula instead:
 * `u = x²`, `v = u + 1`, `□³` (an unnamed operand with a long formula is `□`).
 */
export function nodeTitle(node: GraphNode, options: LabelOptions = {}): string {
  if (node.scopeNode) return node.symbol; // a collapsed group: its call or loop as the interpreter titled it
  const digits = options.digits ?? 4;
  if (node.kind === 'input') return node.name ?? 'input';
  if (node.kind === 'const') return literalText(node, digits);
  const graph = options.graph;
  if (graph) {
    const index = indexOf(graph);
    if (hasFoldedOperand(node, graph, index, options)) {
      const [text] = opFormula(node, index, digits, 0);
      return node.name !== undefined ? `${node.name} = ${text}` : text;
    }
  }
  // An undefined function assigned to its own name (g = Function('g')(x)) is titled once: `g`.
  if (node.op === 'fn' && node.name === node.symbol) return node.name;
  return node.name !== undefined ? `${node.name} = ${node.symbol}` : node.symbol;
}

/** The node's warnings that views show with it (a hidden gradient's note is hidden with it). */
export function shownWarnings(node: GraphNode, options: Pick<LabelOptions, 'constantGrads'> = {}): string[] {
  const all = node.warnings ?? [];
  return showsGradient(node, options) ? all : all.filter((w) => !w.startsWith(GRADIENT_NOTE));
}

/**
 * A node's label, one plain-text line each (toMermaid escapes them): the title, `value N`, `grad N` (left out
 * where showsGradient() is false), and `⚠ …` when the node or a local derivative drawn into it shows a NaN or
 * ∞, with the first warning that explains it. Lines [1] and [2] are always value and grad when grad is shown.
 */
export function nodeLabelLines(node: GraphNode, options: LabelOptions = {}): string[] {
  if (node.scopeNode) return groupLabelLines(node, node.scopeNode, options);
  // A symbolic graph's node: its value and gradient as formulas (no numbers, so nothing is NaN).
  if (node.symbolic) {
    const lines = [nodeTitle(node, options), `value ${node.symbolic.value}`];
    if (showsGradient(node, options) && node.symbolic.grad !== undefined) lines.push(`grad ${node.symbolic.grad}`);
    return lines;
  }
  const fmt = (v: number) => formatNumber(v, options.digits ?? 4);
  const lines = [nodeTitle(node, options), `value ${fmt(node.value)}`];
  const grad = showsGradient(node, options);
  if (grad) lines.push(`grad ${fmt(node.grad)}`);
  let nonFinite = !Number.isFinite(node.value) || (grad && !Number.isFinite(node.grad));
  const graph = options.graph;
  if (!nonFinite && graph) {
    const index = indexOf(graph);
    for (const edge of index.operands.get(node.id) ?? []) {
      const from = edge && index.byId.get(edge.from);
      if (edge && from && !isFolded(from, graph, options) && showsGradient(from, options) && !Number.isFinite(edge.local)) nonFinite = true;
    }
  }
  if (nonFinite) {
    const why = shownWarnings(node, options)[0] ?? 'not a finite number';
    lines.push(`⚠ ${[...why].length > WARNING_MAX ? `${[...why].slice(0, WARNING_MAX - 1).join('')}…` : why}`);
  }
  return lines;
}

/** A group label's list line is cut to this many characters (`… +3 more`). */
export const GROUP_LINE_MAX = 44;

/** `a, b, c` while it fits in GROUP_LINE_MAX with the prefix, then `+N more`. */
function listLine(prefix: string, items: readonly string[]): string {
  let line = prefix;
  for (let i = 0; i < items.length; i++) {
    const next = `${line}${i ? ', ' : ''}${items[i]}`;
    const rest = items.length - i - 1;
    if (i > 0 && [...next].length + (rest ? 9 : 0) > GROUP_LINE_MAX) return `${line}, +${items.length - i} more`;
    line = next;
  }
  return line;
}

/**
 * A collapsed group's label: its title (`neuron(x, w1, b1) · line 9`), `value` and `grad` of its output (with
 * several outputs, an `out` and an `out grad` line listing them), the values it reads (`in x = 2, w = −3`)
 * and the gradient it sends back to each (`grad to x 0.5, w 1`), and how many nodes it hides. With one output,
 * lines [1] and [2] are value and grad as in every node's label, so stepping rewrites them the same way.
 */
export function groupLabelLines(node: GraphNode, group: NonNullable<GraphNode['scopeNode']>, options: LabelOptions = {}): string[] {
  const fmt = (v: number) => formatNumber(v, options.digits ?? 4);
  const graph = options.graph;
  const byId = graph ? indexOf(graph).byId : new Map<string, GraphNode>();
  const lines = [node.symbol];
  if (group.outputs.length > 1) {
    // Several outputs (a layer's neurons): each one's value and gradient; no single `value`/`grad` line, so
    // stepping leaves these as they are (a step's partial sums are on the edges leaving the group).
    const name = (o: typeof group.outputs[number], k: number) => o.name ?? `#${k + 1}`;
    lines.push(listLine('out ', group.outputs.map((o, k) => `${name(o, k)} = ${fmt(o.value)}`)));
    lines.push(listLine('out grad ', group.outputs.map((o, k) => `${name(o, k)} ${fmt(o.grad)}`)));
  } else {
    lines.push(`value ${fmt(node.value)}`, `grad ${fmt(node.grad)}`);
  }
  // Inputs named as the graph draws them: an input or a literal by its title, an operation by its name
  // (`h`), else `□` (the edge into the group shows which node it is); one that is not drawn (shared by
  // collapsed groups only) by the name and value the group carries for it.
  const named = group.inputs.map((input) => {
    const from = byId.get(input.id);
    if (!from) return { name: input.name ?? PLACEHOLDER, value: input.value ?? NaN, grad: input.grad, shows: true };
    const name = from.kind === 'op' ? (from.scopeNode ? PLACEHOLDER : from.name ?? PLACEHOLDER) : nodeTitle(from, options);
    return { name, value: from.value, grad: input.grad, shows: showsGradient(from, options) };
  });
  if (named.length) {
    lines.push(listLine('in ', named.map((i) => `${i.name} = ${fmt(i.value)}`)));
    const grads = named.filter((i) => i.shows);
    if (grads.length) lines.push(listLine('grad to ', grads.map((i) => `${i.name} ${fmt(i.grad)}`)));
  }
  lines.push(`⋯ ${group.hidden} nodes inside`);
  if (!Number.isFinite(node.value) || !Number.isFinite(node.grad)) {
    const why = shownWarnings(node, options)[0] ?? 'not a finite number';
    lines.push(`⚠ ${[...why].length > WARNING_MAX ? `${[...why].slice(0, WARNING_MAX - 1).join('')}…` : why}`);
  }
  return lines;
}

// ------------------------------------------------------------------------------------------ groups, branches

/** Id of a scope's subgraph: generated, never user text. */
export const subgraphId = (scope: number): string => `s${scope}`;
/** Id of a branch mark's node. */
export const branchMarkId = (k: number): string => `b${k}`;
/** At most this many branch marks are drawn (a loop's condition would otherwise mark every pass). */
export const MAX_BRANCH_MARKS = 12;

/** A branch mark's label lines: the condition as written and whether it held, with its line. */
export function branchLabelLines(branch: GraphBranch): string[] {
  return [`if ${branch.condition}`, `${branch.taken ? 'true' : 'false'} here · line ${branch.span.line}`];
}

/**
 * The note every graph with branches carries (the panel shows it, the CLI prints it): the graph is this
 * input's; only the branch taken exists in it, as in PyTorch.
 */
export function branchNote(graph: GraphModel): string | undefined {
  // A condition on plain numbers (a loop counter, `if False`) is the same for every input: not worth a warning.
  const branches = graph.branches?.filter((b) => b.node !== undefined);
  if (!branches?.length) return undefined;
  const conditions = [...new Set(branches.map((b) => `${b.condition} was ${b.taken ? 'true' : 'false'}`))];
  const shown = conditions.length > 3 ? `${conditions.slice(0, 3).join(', ')} and ${conditions.length - 3} more` : conditions.join(', ');
  return `This graph is for this input: ${shown}. Only the branch taken is in the graph (as in PyTorch); another input may take the other branch and give another graph.`;
}

/** The branch marks drawn: one per compared node, condition and outcome, for nodes that are drawn. */
export function branchMarks(graph: GraphModel, drawn: ReadonlySet<string>): { id: string; node: string; branch: GraphBranch }[] {
  const marks: { id: string; node: string; branch: GraphBranch }[] = [];
  const seen = new Set<string>();
  for (const branch of graph.branches ?? []) {
    if (branch.node === undefined || !drawn.has(branch.node)) continue;
    const key = `${branch.node}\n${branch.condition}\n${branch.taken}`;
    if (seen.has(key)) continue;
    seen.add(key);
    marks.push({ id: branchMarkId(marks.length), node: branch.node, branch });
    if (marks.length >= MAX_BRANCH_MARKS) break;
  }
  return marks;
}

// ------------------------------------------------------------------------------------------ edge labels

/** The symbolic engine's local derivative of an edge (`2x`, `3v²`), when it gave one. */
type EdgeWithFormula = GraphEdge & { localFormula?: string };

/**
 * What an edge says: its local derivative ∂to/∂from, as `formula = number` (`2x = 4`, `3v² = 75`) when the
 * edge has a short formula that differs from the number, else the number (`1` for a sum's edges). Empty when
 * the edge starts at a node whose gradient is not shown (a constant), since the local derivative is its factor.
 */
export function edgeLabelText(edge: GraphEdge, options: LabelOptions = {}): string {
  const from = options.graph && indexOf(options.graph).byId.get(edge.from);
  if (from && !showsGradient(from, options)) return '';
  const formula = (edge as EdgeWithFormula).localFormula;
  // A symbolic graph's edge: the formula alone (its number is a placeholder).
  if (options.graph?.symbolic) return formula ?? '';
  const number = formatNumber(edge.local, options.digits ?? 4);
  // `−1` (the formula's minus sign) says no more than `-1` (the number's).
  const same = formula?.replace(/−/g, '-') === number;
  if ((options.edgeLabels ?? 'formula') === 'formula' && formula && [...formula].length <= EDGE_FORMULA_MAX && !same) {
    return `${formula} = ${number}`;
  }
  return number;
}

// ------------------------------------------------------------------------------------------ the diagram

/**
 * The Mermaid flowchart. A graph with scopes (functions, loops) draws each call, loop and iteration that has
 * drawn nodes as a subgraph titled as the interpreter titled it (`neuron(x, w1, b1) · line 9`), nested as
 * they ran; a collapsed group (collapseScopes) is one subroutine-shaped node; each branch condition is a
 * hexagon beside the node it compared, linked by a dotted line. A graph without scopes and branches is
 * drawn exactly as before they existed.
 */
export function toMermaid(graph: GraphModel, options: MermaidOptions = {}): string {
  const labels: LabelOptions = { ...options, graph };
  const drawn = drawnGraph(graph, options);
  const lines: string[] = [`flowchart ${options.direction ?? 'LR'}`];
  const statement = (node: GraphNode, indent = '  ') => nodeStatement(node.id, node.scopeNode ? 'group' : node.kind, nodeLabelLines(node, labels).map(escapeLabel), indent);
  const drawnIds = new Set(drawn.nodes.map((n) => n.id));
  const marks = branchMarks(graph, drawnIds);
  if (!graph.scopes?.length) {
    for (const node of drawn.nodes) lines.push(statement(node));
    for (const mark of marks) lines.push(nodeStatement(mark.id, 'branch', branchLabelLines(mark.branch).map(escapeLabel)));
  } else {
    lines.push(...scopedStatements(graph, drawn.nodes, marks, statement));
  }
  for (const edge of drawn.edges) {
    const text = edgeLabelText(edge, labels);
    lines.push(text ? `  ${edge.from} -->|"${escapeLabel(text)}"| ${edge.to}` : `  ${edge.from} --> ${edge.to}`);
  }
  for (const mark of marks) lines.push(`  ${mark.node} -.- ${mark.id}`);
  // Later classes win: a group's colour over an op's, the output's and a warning's over both.
  const structured = marks.length > 0 || drawn.nodes.some((n) => n.scopeNode);
  const classes: Record<string, string[]> = structured
    ? { input: [], const: [], op: [], group: [], branch: [], output: [], warn: [] }
    : { input: [], const: [], op: [], output: [], warn: [] };
  for (const node of drawn.nodes) {
    classes[node.kind].push(node.id);
    if (node.scopeNode) classes.group.push(node.id);
    if (node.id === graph.output) classes.output.push(node.id);
    if (shownWarnings(node, options).length) classes.warn.push(node.id);
  }
  for (const mark of marks) classes.branch.push(mark.id);
  lines.push(...classStatements(classes));
  return lines.join('\n') + '\n';
}

/** Node statements nested in `subgraph … end` blocks, one per scope with drawn nodes, parents around children. */
function scopedStatements(
  graph: GraphModel, nodes: readonly GraphNode[], marks: readonly { id: string; node: string; branch: GraphBranch }[],
  statement: (node: GraphNode, indent: string) => string,
): string[] {
  const scopes = graph.scopes ?? [];
  const known = new Set(scopes.map((s) => s.id));
  const where = (scope: number | undefined) => (scope !== undefined && known.has(scope) ? scope : -1);
  const members = new Map<number, string[][]>(); // scope (or -1) → [node lines' parts]
  const children = new Map<number, number[]>();
  for (const s of scopes) {
    const parent = where(s.parent);
    const list = children.get(parent);
    if (list) list.push(s.id); else children.set(parent, [s.id]);
  }
  const byNode = new Map<string, number>();
  for (const node of nodes) {
    // Inputs are the graph's leaves, given from outside: drawn outside every group, though the interpreter
    // creates a free variable's node where it is first read.
    const scope = node.kind === 'input' ? -1 : where(node.scope);
    byNode.set(node.id, scope);
    const list = members.get(scope);
    if (list) list.push([node.id]); else members.set(scope, [[node.id]]);
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const marksIn = new Map<number, typeof marks[number][]>();
  const scopeById = new Map(scopes.map((s) => [s.id, s]));
  for (const mark of marks) {
    // Beside its node, but not inside a loop it comes after (`if (s > 0)` after the loop compares the last
    // pass's s): out of every loop and pass whose text ends before the condition's.
    let scope = byNode.get(mark.node) ?? -1;
    for (let s = scopeById.get(scope); s && s.kind !== 'call' && mark.branch.span.start >= s.span.end; s = scopeById.get(scope)) scope = where(s.parent);
    const list = marksIn.get(scope);
    if (list) list.push(mark); else marksIn.set(scope, [mark]);
  }
  // Which scopes have something to draw, themselves or below (children after parents in `scopes`: reverse pass).
  const filled = new Set<number>();
  for (let i = scopes.length - 1; i >= 0; i--) {
    const id = scopes[i].id;
    if (members.has(id) || (children.get(id) ?? []).some((c) => filled.has(c))) filled.add(id);
  }
  const titles = new Map(scopes.map((s) => [s.id, s.title]));
  const out: string[] = [];
  // Iterative (nesting may be deep): a stack of scopes to open and of `end`s to close them.
  const stack: ({ scope: number; depth: number } | { end: number })[] = [{ scope: -1, depth: 0 }];
  while (stack.length) {
    const item = stack.pop()!;
    if ('end' in item) {
      out.push(`${'  '.repeat(item.end)}end`);
      continue;
    }
    const { scope, depth } = item;
    if (scope !== -1) {
      out.push(`${'  '.repeat(depth)}subgraph ${subgraphId(scope)}["${escapeTitle(titles.get(scope) ?? '')}"]`);
      stack.push({ end: depth });
    }
    const indent = '  '.repeat(depth + 1);
    for (const [id] of members.get(scope) ?? []) out.push(statement(byId.get(id)!, indent));
    for (const mark of marksIn.get(scope) ?? []) out.push(nodeStatement(mark.id, 'branch', branchLabelLines(mark.branch).map(escapeLabel), indent));
    const kids = (children.get(scope) ?? []).filter((c) => filled.has(c));
    for (let k = kids.length - 1; k >= 0; k--) stack.push({ scope: kids[k], depth: depth + 1 });
  }
  return out;
}
