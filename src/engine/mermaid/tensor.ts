import { entryCount, formatTensor, shapeText } from '../base/tensor-value';
import type { TensorGraph } from '../graph/tensor-view';
import { classStatements, escapeLabel, nodeStatement, type MermaidOptions } from './mermaid';

/** Mermaid flowchart of the tensor view: each node shows its op, shape, and (when small) value and gradient. */
export function tensorToMermaid(graph: TensorGraph, options: MermaidOptions & { maxEntries?: number } = {}): string {
  const digits = options.digits ?? 4;
  const maxEntries = options.maxEntries ?? 6;
  const lines: string[] = [`flowchart ${options.direction ?? 'LR'}`];
  for (const n of graph.nodes) {
    const title = n.kind === 'op' && n.name !== undefined ? `${n.name} = ${n.label}` : n.name ?? n.label;
    const parts = [escapeLabel(title), escapeLabel(shapeText(n.shape))];
    if (entryCount(n.shape) <= maxEntries) {
      parts.push(`value ${escapeLabel(formatTensor(n.value, digits))}`, `grad ${escapeLabel(formatTensor(n.grad, digits))}`);
    }
    // Ids are generated (`t3`, `n7`), never user text.
    lines.push(nodeStatement(n.id, n.kind, parts));
  }
  for (const e of graph.edges) lines.push(`  ${e.from} --> ${e.to}`);
  const classes: Record<string, string[]> = { input: [], const: [], op: [], output: [] };
  for (const n of graph.nodes) {
    classes[n.kind].push(n.id);
    if (n.id === graph.output) classes.output.push(n.id);
  }
  lines.push(...classStatements(classes));
  return lines.join('\n') + '\n';
}
