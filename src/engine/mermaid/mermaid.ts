import { formatNumber } from '../base/format';
import type { GraphModel, GraphNode } from '../graph/graph';

export type Direction = 'LR' | 'RL' | 'TB' | 'BT';

export interface MermaidOptions {
  direction?: Direction;
  /** Significant digits for values, gradients and local derivatives. */
  digits?: number;
}

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

/** The label lines of a node: what it is, its value, its gradient. */
export function nodeTitle(node: GraphNode, digits = 4): string {
  if (node.kind === 'input') return node.name ?? 'input';
  if (node.kind === 'const') return node.name ?? formatNumber(node.value, digits);
  return node.name !== undefined ? `${node.name} = ${node.symbol}` : node.symbol;
}

export function toMermaid(graph: GraphModel, options: MermaidOptions = {}): string {
  const digits = options.digits ?? 4;
  const fmt = (v: number) => formatNumber(v, digits);
  const lines: string[] = [`flowchart ${options.direction ?? 'LR'}`];
  for (const node of graph.nodes) {
    const label = [escapeLabel(nodeTitle(node, digits)), `value ${escapeLabel(fmt(node.value))}`, `grad ${escapeLabel(fmt(node.grad))}`].join('<br/>');
    const [open, close] = node.kind === 'input' ? ['([', '])'] : node.kind === 'const' ? ['[', ']'] : ['(', ')'];
    lines.push(`  ${node.id}${open}"${label}"${close}`);
  }
  for (const e of graph.edges) {
    lines.push(`  ${e.from} -->|"∂ ${escapeLabel(fmt(e.local))}"| ${e.to}`);
  }
  const classes: Record<string, string[]> = { input: [], const: [], op: [], output: [], warn: [] };
  for (const node of graph.nodes) {
    classes[node.kind].push(node.id);
    if (node.id === graph.output) classes.output.push(node.id);
    if (node.warnings?.length) classes.warn.push(node.id);
  }
  for (const [cls, ids] of Object.entries(classes)) {
    if (ids.length) lines.push(`  class ${ids.join(',')} bp${cls[0].toUpperCase()}${cls.slice(1)}`);
  }
  return lines.join('\n') + '\n';
}
