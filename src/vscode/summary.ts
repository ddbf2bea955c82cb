import type * as Engine from '../node/engine';
import type { GraphPayload } from '../protocol';

/**
 * A graph over `backpropGraph.maxNodes` is not drawn node by node (Mermaid gives up on big graphs): the
 * picture becomes inputs → "N nodes" → output, while the numbers (value, gradients, check) stay complete.
 * Uses the engine's `summarize` when it has one.
 */
export function summarizePayload(engine: typeof Engine, payload: GraphPayload, maxNodes: number): GraphPayload {
  const total = payload.graph.nodes.length;
  const reason = `${total} nodes is more than backpropGraph.maxNodes (${maxNodes})`;
  // src/core/summarize.ts (when the engine exports it) collapses dominated subexpressions exactly.
  const summarize = (engine as unknown as { summarize?: unknown }).summarize;
  if (typeof summarize === 'function') {
    try {
      const s = (summarize as (g: GraphPayload['graph'], max: number) => { graph: GraphPayload['graph'] })(payload.graph, maxNodes);
      if (s?.graph && s.graph.nodes.length <= maxNodes) {
        const mermaid = engine.toMermaid(s.graph, { digits: payload.digits, direction: payload.direction });
        return { ...payload, mermaid, summarized: { shownNodes: s.graph.nodes.length, totalNodes: total, reason } };
      }
    } catch {
      // fall through to the plain summary below
    }
  }
  const fmt = (v: number) => engine.formatNumber(v, payload.digits);
  const lines = [`flowchart ${payload.direction}`];
  const out = payload.graph.output;
  for (const input of payload.graph.inputs.slice(0, 40)) {
    lines.push(`  ${input.id}(["${engine.escapeLabel(input.name)}<br/>value ${engine.escapeLabel(fmt(input.value))}<br/>grad ${engine.escapeLabel(fmt(input.grad))}"])`);
    lines.push(`  ${input.id} --> mid`);
  }
  const hidden = total - Math.min(40, payload.graph.inputs.length) - 1;
  lines.push(`  mid["${engine.escapeLabel(`… ${hidden} nodes not drawn`)}"]`);
  lines.push(`  mid --> ${out}`);
  lines.push(`  ${out}("${engine.escapeLabel('output')}<br/>value ${engine.escapeLabel(fmt(payload.value))}")`);
  return { ...payload, mermaid: lines.join('\n') + '\n', summarized: { shownNodes: Math.min(40, payload.graph.inputs.length) + 2, totalNodes: total, reason } };
}
