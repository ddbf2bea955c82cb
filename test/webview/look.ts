/// <reference lib="dom" />
// (Code passed to page.evaluate runs in the page: it is typed against the DOM.)
/**
 * What the user sees of a drawn graph, measured on the rendered page: which node boxes lie inside the
 * diagram area (and not under the overview), how big node and edge-label text is on screen (computed font
 * size × the text's screen scale from getScreenCTM), and the WCAG contrast of each edge label's text against
 * what is behind it (its label box blended over the page background).
 */
import type { Page } from 'playwright-core';

export interface Look {
  nodes: number;
  /** Nodes whose whole box lies inside the diagram area and not under the overview. */
  nodesInView: number;
  outside: string[];
  /** Smallest on-screen font size of node text and of edge-label text, px. */
  minNodePx: number;
  minEdgePx: number;
  /** Smallest WCAG contrast ratio of an edge label's text against its background. */
  minEdgeContrast: number;
  scale: number;
  area: { width: number; height: number };
  overviewShown: boolean;
  direction: string;
}

export async function look(page: Page): Promise<Look> {
  // tsx names inner functions with a `__name` helper that only exists in Node: give the page a stand-in.
  await page.evaluate('window.__name = window.__name || ((f) => f)');
  return page.evaluate(() => {
    const parse = (c: string): number[] | undefined => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return undefined;
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const channel = (v: number) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
    const lum = (c: number[]) => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
    const blend = (top: number[], alpha: number, under: number[]) => [0, 1, 2].map((i) => top[i] * alpha + under[i] * (1 - alpha));
    const contrast = (a: number[], b: number[]) => { const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x); return (hi + 0.05) / (lo + 0.05); };
    const pageBg = parse(getComputedStyle(document.body).backgroundColor) ?? [255, 255, 255, 1];
    const areaEl = document.getElementById('diagram-area')!;
    const area = areaEl.getBoundingClientRect();
    const ov = document.getElementById('overview');
    const ovRect = ov && !ov.hidden ? ov.getBoundingClientRect() : undefined;
    const screenScale = (e: SVGGraphicsElement) => { const m = e.getScreenCTM(); return m ? Math.hypot(m.a, m.b) : 0; };
    const nodes = [...document.querySelectorAll<SVGGElement>('#diagram g.node')];
    const outside: string[] = [];
    for (const g of nodes) {
      const r = g.getBoundingClientRect();
      const inArea = r.left >= area.left - 0.5 && r.top >= area.top - 0.5 && r.right <= area.right + 0.5 && r.bottom <= area.bottom + 0.5;
      const underOverview = !!ovRect && r.right > ovRect.left && r.left < ovRect.right && r.bottom > ovRect.top && r.top < ovRect.bottom;
      if (!inArea || underOverview) outside.push(g.dataset.node ?? g.id);
    }
    const texts = (sel: string) => [...document.querySelectorAll<SVGTextElement>(sel)].filter((t) => (t.textContent ?? '').trim());
    const px = (t: SVGTextElement) => parseFloat(getComputedStyle(t).fontSize) * screenScale(t);
    const nodePx = texts('#diagram g.node text').map(px);
    const edgeTexts = texts('#diagram g.edgeLabel text');
    const edgePx = edgeTexts.map(px);
    const contrasts = edgeTexts.map((t) => {
      const fg = parse(getComputedStyle(t).fill) ?? [0, 0, 0, 1];
      let bg = pageBg.slice(0, 3);
      const rect = t.closest('g.edgeLabel')?.querySelector('rect');
      if (rect) {
        const cs = getComputedStyle(rect);
        const fill = parse(cs.fill);
        if (fill && cs.display !== 'none' && cs.visibility !== 'hidden') bg = blend(fill, fill[3] * Number(cs.opacity || 1), bg);
      }
      return contrast(blend(fg, fg[3] * Number(getComputedStyle(t).opacity || 1), bg), bg);
    });
    const m = /scale\(([\d.e-]+)\)/.exec(document.getElementById('viewport')!.style.transform);
    return {
      nodes: nodes.length,
      nodesInView: nodes.length - outside.length,
      outside,
      minNodePx: nodePx.length ? Math.min(...nodePx) : 0,
      minEdgePx: edgePx.length ? Math.min(...edgePx) : 0,
      minEdgeContrast: contrasts.length ? Math.min(...contrasts) : 0,
      scale: m ? Number(m[1]) : NaN,
      area: { width: area.width, height: area.height },
      overviewShown: !!ovRect,
      direction: document.body.dataset.direction ?? '',
    };
  });
}
