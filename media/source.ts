/** Reading the Mermaid source our emitter writes (src/engine/mermaid/mermaid.ts), and the theme's node styles. */

export type ThemeName = 'light' | 'dark' | 'hcDark' | 'hcLight';

export function themeFromBody(body: HTMLElement): ThemeName {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'hcLight';
  if (c.contains('vscode-high-contrast')) return 'hcDark';
  if (c.contains('vscode-dark')) return 'dark';
  return 'light';
}

export const MERMAID_THEME: Record<ThemeName, 'default' | 'dark' | 'neutral'> = {
  light: 'default',
  dark: 'dark',
  hcDark: 'dark',
  hcLight: 'default',
};

/** Background used when exporting PNG (the SVG itself is transparent). */
export const EXPORT_BACKGROUND: Record<ThemeName, string> = {
  light: '#ffffff',
  dark: '#1e1e1e',
  hcDark: '#000000',
  hcLight: '#ffffff',
};

/** classDefs for the classes the emitter assigns (bpInput, bpConst, bpOp, bpOutput, bpWarn); later ones win. */
const CLASS_DEFS: Record<ThemeName, Record<string, string>> = {
  light: {
    bpInput: 'fill:#e3f0fc,stroke:#1f6fb5,stroke-width:1.5px,color:#0b2e4f',
    bpConst: 'fill:#f2f2f2,stroke:#8a8a8a,stroke-width:1px,color:#333333',
    bpOp: 'fill:#fff3df,stroke:#c77700,stroke-width:1.5px,color:#3b2400',
    bpOutput: 'fill:#e3f4e8,stroke:#1b7f3b,stroke-width:3px,color:#0b3b1a',
    bpWarn: 'stroke:#c62828,stroke-width:3px,stroke-dasharray:6 3',
  },
  dark: {
    bpInput: 'fill:#13324d,stroke:#6cb6f5,stroke-width:1.5px,color:#e6f2ff',
    bpConst: 'fill:#2b2b2b,stroke:#9a9a9a,stroke-width:1px,color:#e0e0e0',
    bpOp: 'fill:#3a2a10,stroke:#f0a848,stroke-width:1.5px,color:#fff1dc',
    bpOutput: 'fill:#123b21,stroke:#72c98a,stroke-width:3px,color:#e6f6ea',
    bpWarn: 'stroke:#ff6b6b,stroke-width:3px,stroke-dasharray:6 3',
  },
  hcDark: {
    bpInput: 'fill:#000000,stroke:#6fc3df,stroke-width:2px,color:#ffffff',
    bpConst: 'fill:#000000,stroke:#ffffff,stroke-width:1px,color:#ffffff',
    bpOp: 'fill:#000000,stroke:#f38518,stroke-width:2px,color:#ffffff',
    bpOutput: 'fill:#000000,stroke:#3ff23f,stroke-width:3px,color:#ffffff',
    bpWarn: 'stroke:#ff5252,stroke-width:3px,stroke-dasharray:6 3',
  },
  hcLight: {
    bpInput: 'fill:#ffffff,stroke:#0f4a85,stroke-width:2px,color:#000000',
    bpConst: 'fill:#ffffff,stroke:#292929,stroke-width:1px,color:#000000',
    bpOp: 'fill:#ffffff,stroke:#8f3c00,stroke-width:2px,color:#000000',
    bpOutput: 'fill:#ffffff,stroke:#006b00,stroke-width:3px,color:#000000',
    bpWarn: 'stroke:#b5200d,stroke-width:3px,stroke-dasharray:6 3',
  },
};

export function classDefs(theme: ThemeName): string {
  return Object.entries(CLASS_DEFS[theme]).map(([cls, style]) => `  classDef ${cls} ${style}\n`).join('');
}

const NODE_LINE = /^\s*([A-Za-z][\w]*)(\(\[|\[|\(|\{)"(.*)"(\]\)|\]|\)|\})\s*$/;
const EDGE_LINE = /^\s*([A-Za-z][\w]*)\s+-->\|"(.*)"\|\s+([A-Za-z][\w]*)\s*$/;

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
  /** Edge labels in source order, with their ends. */
  edges: { from: string; to: string; label: string }[];
  /** The source with every label blanked: equal keys mean the same drawing up to the label texts. */
  structureKey: string;
  /** Longest label line per node and per edge (in characters), in source order: labels drive the layout. */
  widths: number[];
  nodeCount: number;
}

export function readSource(source: string): SourceInfo {
  const nodeLabels = new Map<string, string[]>();
  const edges: SourceInfo['edges'] = [];
  const keyLines: string[] = [];
  const widths: number[] = [];
  for (const line of source.split('\n')) {
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
      widths.push(label.length);
      keyLines.push(`${edge[1]}->${edge[3]}`);
      continue;
    }
    keyLines.push(line);
  }
  return { nodeLabels, edges, structureKey: keyLines.join('\n'), widths, nodeCount: nodeLabels.size };
}

