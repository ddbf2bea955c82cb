/** Reading the Mermaid source our emitter writes (src/engine/mermaid/mermaid.ts). */

const NODE_LINE = /^\s*([A-Za-z][\w]*)(\(\[|\[\[|\{\{|\[|\(|\{)"(.*)"(\]\)|\]\]|\}\}|\]|\)|\})\s*$/;
const EDGE_LINE = /^\s*([A-Za-z][\w]*)\s+-->\|"(.*)"\|\s+([A-Za-z][\w]*)\s*$/;
/** A group's subgraph (the emitter's `subgraph s3["neuron(x) · line 9"]`). */
const SUBGRAPH_LINE = /^\s*subgraph s(\d+)\["(.*)"\]\s*$/;
/** An edge without a label (the tensor view's). */
const PLAIN_EDGE_LINE = /^\s*([A-Za-z][\w]*)\s+-->\s+([A-Za-z][\w]*)\s*$/;

/** `#60;` entity codes back to characters (the emitter writes nothing else). */
export function decodeLabel(text: string): string {
  return text.replace(/#(\d+);/g, (_, code: string) => {
    const n = Number(code);
    return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '';
  });
}

export interface SourceInfo {
  /** Node id → label lines. */
  nodeLabels: Map<string, string[]>;
  /** Group (scope id) → its subgraph's title. */
  clusterTitles: Map<number, string>;
  /** Edge labels in source order, with their ends. */
  edges: { from: string; to: string; label: string }[];
  /** Every edge, labelled or not, in source order (what the layout sees). */
  links: { from: string; to: string; label: string }[];
  /** The source with every label blanked: equal keys mean the same drawing up to the label texts. */
  structureKey: string;
  /** Longest label line per node and per edge (in characters), in source order: labels drive the layout. */
  widths: number[];
  nodeCount: number;
}

export function readSource(source: string): SourceInfo {
  const nodeLabels = new Map<string, string[]>();
  const edges: SourceInfo['edges'] = [];
  const links: SourceInfo['links'] = [];
  const keyLines: string[] = [];
  const widths: number[] = [];
  const clusterTitles = new Map<number, string>();
  for (const line of source.split('\n')) {
    const subgraph = SUBGRAPH_LINE.exec(line);
    if (subgraph) {
      const title = decodeLabel(subgraph[2]);
      clusterTitles.set(Number(subgraph[1]), title);
      widths.push(title.length);
      keyLines.push(`subgraph s${subgraph[1]}`);
      continue;
    }
    const node = NODE_LINE.exec(line);
    if (node) {
      const lines = node[3].split('<br/>').map(decodeLabel);
      nodeLabels.set(node[1], lines);
      widths.push(Math.max(...lines.map((l) => l.length)));
      keyLines.push(`${node[1]}${node[2]}${lines.length}${node[4]}`);
      continue;
    }
    const edge = EDGE_LINE.exec(line);
    if (edge) {
      const label = decodeLabel(edge[2]);
      edges.push({ from: edge[1], to: edge[3], label });
      links.push({ from: edge[1], to: edge[3], label });
      widths.push(label.length);
      keyLines.push(`${edge[1]}->${edge[3]}`);
      continue;
    }
    const plain = PLAIN_EDGE_LINE.exec(line);
    if (plain) links.push({ from: plain[1], to: plain[2], label: '' });
    keyLines.push(line);
  }
  return { nodeLabels, clusterTitles, edges, links, structureKey: keyLines.join('\n'), widths, nodeCount: nodeLabels.size };
}


/** The same source drawn in another direction (the emitter writes `flowchart LR` or similar on line 1). */
export function withDirection(source: string, direction: string): string {
  return source.replace(/^flowchart (LR|RL|TB|BT|TD)\b/, `flowchart ${direction}`);
}
