/// <reference lib="dom" />
// (previewLooks runs in the page: it is typed against the DOM.)
/**
 * What a reader sees of the ```backprop graphs in a Markdown preview page, measured in the page: each
 * placeholder's node boxes, on-screen text size (computed font size × getScreenCTM scale), WCAG contrast of node
 * text on its shape and of edge-label text on its box, the caption and any error. Shared by the Chromium test
 * (test/webview/markdown-preview.test.ts) and the code-server one (test/e2e/preview.e2e.test.ts).
 * Before page.evaluate(previewLooks), give the page tsx's `__name` helper: `window.__name = (f) => f`.
 */

/** Smallest on-screen node text in the preview, px (the editor's own text is 13–14 px). */
export const MIN_TEXT_PX = 11;

export interface NodeLook { lines: string; left: number; right: number; top: number; bottom: number; textPx: number; contrast: number }
export interface GraphLook {
  drawn: boolean;
  /** LR or TB, as preview.ts chose. */
  direction: string;
  /** The diagram area's box, and the page's visible width (the preview's viewport). */
  width: number;
  left: number;
  right: number;
  viewWidth: number;
  nodes: NodeLook[];
  edges: string[];
  /** Smallest WCAG contrast of an edge label's text on its box. */
  edgeContrast: number;
  caption: string;
  error: string;
}

/** Each `.bp-preview` placeholder of the page, as drawn. Runs in the page (no imports, no outer names). */
export function previewLooks(): GraphLook[] {
  const parse = (c: string): number[] => {
    const m = /rgba?\(([^)]+)\)/.exec(c);
    if (!m) return [0, 0, 0];
    return m[1].split(/[ ,/]+/).filter(Boolean).map(Number).slice(0, 3);
  };
  const channel = (v: number) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
  const lum = (c: number[]) => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
  const contrast = (a: number[], b: number[]) => { const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x); return (hi + 0.05) / (lo + 0.05); };
  return [...document.querySelectorAll<HTMLElement>('.bp-preview')].map((el) => {
    const diagram = el.querySelector('.bp-preview-diagram') as HTMLElement | null;
    const svg = diagram?.querySelector('svg');
    const box = (diagram ?? el).getBoundingClientRect();
    const nodes = [...(svg?.querySelectorAll('g.node') ?? [])].map((g) => {
      const r = g.getBoundingClientRect();
      const text = g.querySelector('text');
      const m = (g as SVGGElement).getScreenCTM();
      const shape = g.querySelector('rect, path, polygon, circle');
      const textFill = text ? parse(getComputedStyle(text).fill) : [0, 0, 0];
      const shapeFill = shape ? parse(getComputedStyle(shape).fill) : [255, 255, 255];
      return {
        lines: [...(text?.querySelectorAll(':scope > tspan') ?? [])].map((t) => t.textContent?.replace(/\s+/g, ' ').trim()).join(' / ') || (text?.textContent ?? ''),
        left: r.left, right: r.right, top: r.top, bottom: r.bottom,
        textPx: text && m ? parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.a, m.b) : 0,
        contrast: contrast(textFill, shapeFill),
      };
    });
    const labels = [...(svg?.querySelectorAll('g.edgeLabel') ?? [])];
    const edgeContrast = Math.min(Infinity, ...labels.map((l) => {
      const t = l.querySelector('text');
      const rect = l.querySelector('rect');
      return t && rect ? contrast(parse(getComputedStyle(t).fill), parse(getComputedStyle(rect).fill)) : Infinity;
    }));
    return {
      drawn: Boolean(svg), direction: el.dataset.bpDirection ?? '', width: box.width, left: box.left, right: box.right,
      viewWidth: document.documentElement.clientWidth, nodes,
      edges: labels.map((l) => l.textContent?.replace(/\s+/g, ' ').trim() ?? ''),
      edgeContrast,
      caption: el.querySelector('.bp-preview-caption')?.textContent ?? '',
      error: (el.classList.contains('bp-preview-error') ? el : el.querySelector('.bp-preview-error'))?.textContent ?? '',
    };
  });
}

/** Everything wrong with a drawn graph, as one list: nodes outside the preview's width, small or low-contrast text, NaN. */
export function problemsOf(g: GraphLook, what: string): string[] {
  const out: string[] = [];
  if (!g.drawn) out.push(`${what}: not drawn (${g.error || 'no svg'})`);
  for (const n of g.nodes) {
    if (n.left < g.left - 0.5 || n.right > g.right + 0.5) out.push(`${what}: node "${n.lines}" outside the diagram [${n.left.toFixed(0)}, ${n.right.toFixed(0)}] vs [${g.left.toFixed(0)}, ${g.right.toFixed(0)}]`);
    if (n.left < -0.5 || n.right > g.viewWidth + 0.5) out.push(`${what}: node "${n.lines}" outside the preview's visible width ${g.viewWidth}`);
    if (!(n.right - n.left > 0 && n.bottom - n.top > 0)) out.push(`${what}: node "${n.lines}" has no size on screen`);
    if (!(n.textPx >= MIN_TEXT_PX)) out.push(`${what}: node "${n.lines}" text ${n.textPx.toFixed(1)} px on screen`);
    if (!(n.contrast >= 4.5)) out.push(`${what}: node "${n.lines}" text contrast ${n.contrast.toFixed(2)}`);
    if (/NaN/.test(n.lines)) out.push(`${what}: NaN in "${n.lines}"`);
  }
  if (!(g.edgeContrast >= 4.5)) out.push(`${what}: edge label contrast ${g.edgeContrast.toFixed(2)}`);
  if (g.edges.some((e) => /NaN/.test(e)) || /NaN/.test(g.caption)) out.push(`${what}: NaN in an edge label or the caption`);
  return out;
}

