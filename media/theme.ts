/** The webview's themes: which one the page is in (VS Code's body class) and the colours each draws with. */

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

/** Background used when exporting PNG (the SVG itself is transparent) and behind the overview. */
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

/** Collapsed groups' and branch marks' classes: defined only for a source that uses them (straight-line sources stay as they were). */
const GROUP_CLASS_DEFS: Record<ThemeName, Record<string, string>> = {
  light: {
    bpGroup: 'fill:#f3ecff,stroke:#6741d9,stroke-width:3px,color:#1e0b4f',
    bpBranch: 'fill:#fff0f6,stroke:#a61e4d,stroke-width:1.5px,color:#3d0a1c',
  },
  dark: {
    bpGroup: 'fill:#2b2145,stroke:#b197fc,stroke-width:3px,color:#f3efff',
    bpBranch: 'fill:#3d1426,stroke:#f783ac,stroke-width:1.5px,color:#ffe9f1',
  },
  hcDark: {
    bpGroup: 'fill:#000000,stroke:#b197fc,stroke-width:2.5px,color:#ffffff',
    bpBranch: 'fill:#000000,stroke:#f783ac,stroke-width:2px,color:#ffffff',
  },
  hcLight: {
    bpGroup: 'fill:#ffffff,stroke:#4b2ca3,stroke-width:2.5px,color:#000000',
    bpBranch: 'fill:#ffffff,stroke:#8a1538,stroke-width:2px,color:#000000',
  },
};

/** Subgraph (group) boxes and their titles: text in contrast with the box. */
const CLUSTER: Record<ThemeName, { box: string; border: string; text: string }> = {
  light: { box: '#f6f4fc', border: '#8c82b4', text: '#1f1f1f' },
  dark: { box: '#26242f', border: '#8c82b4', text: '#f0f0f0' },
  hcDark: { box: '#000000', border: '#ffffff', text: '#ffffff' },
  hcLight: { box: '#ffffff', border: '#000000', text: '#000000' },
};

export function classDefs(theme: ThemeName, source = ''): string {
  const defs = { ...CLASS_DEFS[theme] };
  for (const [cls, style] of Object.entries(GROUP_CLASS_DEFS[theme])) {
    if (new RegExp(`^\\s*class \\S+ ${cls}$`, 'm').test(source)) defs[cls] = style;
  }
  return Object.entries(defs).map(([cls, style]) => `  classDef ${cls} ${style}\n`).join('');
}

/**
 * Edge labels: dark text on an opaque light box (or the reverse), so the local derivatives read at ≥ 4.5:1
 * whatever the edge or the editor background behind them. Literal colours, because the same style goes
 * into exported SVG and PNG files, where VS Code's CSS variables do not exist.
 */
export const EDGE_LABEL: Record<ThemeName, { text: string; box: string; border: string; line: string }> = {
  light: { text: '#1f1f1f', box: '#ffffff', border: '#8a8a8a', line: '#555555' },
  dark: { text: '#f0f0f0', box: '#252526', border: '#8a8a8a', line: '#b0b0b0' },
  hcDark: { text: '#ffffff', box: '#000000', border: '#ffffff', line: '#ffffff' },
  hcLight: { text: '#000000', box: '#ffffff', border: '#000000', line: '#000000' },
};

/** Font size of every label in the drawing, in SVG units (the fit scales it; see panzoom.ts). */
export const FONT_SIZE = 16;

/**
 * A stylesheet put inside the drawn SVG itself (so exports carry it): edge labels and edges in the theme's
 * colours. Scoped by the SVG's class so two drawings never share it.
 */
export function graphStyle(theme: ThemeName): string {
  const c = EDGE_LABEL[theme];
  const s = 'svg.bp-graph';
  return [
    `${s} g.edgeLabel rect.background, ${s} g.edgeLabel rect { fill: ${c.box} !important; opacity: 1 !important; stroke: ${c.border}; stroke-width: 0.75px; }`,
    `${s} g.edgeLabel text, ${s} g.edgeLabel tspan { fill: ${c.text} !important; font-size: ${FONT_SIZE - 1}px; }`,
    `${s} path.flowchart-link { stroke: ${c.line} !important; }`,
    `${s} marker path, ${s} .marker { fill: ${c.line} !important; stroke: ${c.line} !important; }`,
    `${s} g.node text, ${s} g.node tspan { font-size: ${FONT_SIZE}px; }`,
    `${s} .bp-mark-vanish { fill: none; stroke: #8a8a8a; stroke-width: 2px; stroke-dasharray: 4 3; }`,
    `${s} .bp-mark-explode { fill: none; stroke: #e03131; stroke-width: 3px; }`,
    `${s} path.bp-edge-vanish { stroke-dasharray: 4 3 !important; opacity: 0.6; }`,
    `${s} path.bp-edge-explode { stroke: #e03131 !important; }`,
    `${s} g.cluster > rect { fill: ${CLUSTER[theme].box} !important; fill-opacity: 0.6; stroke: ${CLUSTER[theme].border} !important; stroke-width: 1px; rx: 6px; }`,
    `${s} g.cluster.bp-group-title { cursor: pointer; }`,
    `${s} g.cluster-label text, ${s} g.cluster-label tspan { fill: ${CLUSTER[theme].text} !important; font-size: ${FONT_SIZE - 1}px; }`,
  ].join('\n');
}
