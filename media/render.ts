/**
 * The one module that talks to Mermaid: configuration, rendering a source to SVG text, and the warm-up.
 * (How Mermaid is bundled and loaded is decided elsewhere; this import is the single place to swap it.)
 */
import mermaid from 'mermaid';
import { classDefs, FONT_SIZE, MERMAID_THEME, type ThemeName } from './theme';
import type { Spacing } from './layout';

/** Mermaid's own limits, set explicitly; the caller counts before rendering so they are never hit. */
export const MAX_EDGES = 2000;
export const MAX_TEXT = 400_000;

/**
 * Label font and spacing. Tight spacing so that the labels, not the gaps, take the room: a fitted graph is
 * drawn at a larger scale, so its text is larger on screen. `padding` is the room around a label in its box.
 */
export const SPACING: Spacing = { fontSize: FONT_SIZE, nodeSpacing: 16, rankSpacing: 14, padding: 5 };

let initializedTheme: ThemeName | undefined;

function init(theme: ThemeName): void {
  if (initializedTheme === theme) return;
  initializedTheme = theme;
  mermaid.initialize({
    startOnLoad: false,
    securityLevel: 'strict',
    theme: MERMAID_THEME[theme],
    themeVariables: { fontSize: `${FONT_SIZE}px` },
    maxTextSize: MAX_TEXT,
    maxEdges: MAX_EDGES,
    // render() reports a bad source by throwing; drawing Mermaid's error picture first would only cost time.
    suppressErrorRendering: true,
    layout: 'dagre',
    look: 'classic',
    htmlLabels: false,
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Ubuntu, "Helvetica Neue", Arial, sans-serif',
    flowchart: {
      htmlLabels: false, useMaxWidth: false, wrappingWidth: 2000, curve: 'basis',
      nodeSpacing: SPACING.nodeSpacing, rankSpacing: SPACING.rankSpacing, padding: SPACING.padding, diagramPadding: 8,
      // Room under a group's title (function calls and loops are subgraphs): the first rank would cover it.
      subGraphTitleMargin: { top: 4, bottom: 22 },
    },
  });
}

/** Where Mermaid builds and measures a drawing before it is shown: off-screen, its layout contained. */
export function renderHost(): HTMLElement {
  let host = document.getElementById('render-host');
  if (!host) {
    host = document.createElement('div');
    host.id = 'render-host';
    host.setAttribute('aria-hidden', 'true');
    document.body.append(host);
  }
  return host;
}

/** The SVG text of `source` in `theme` (with the theme's classDefs). Throws Mermaid's error for a bad source. */
export async function renderSvg(id: string, source: string, theme: ThemeName): Promise<string> {
  init(theme);
  try {
    return (await mermaid.render(id, source + classDefs(theme, source), renderHost())).svg;
  } finally {
    document.getElementById(id)?.remove();
    document.getElementById(`d${id}`)?.remove();
    renderHost().replaceChildren();
  }
}

/**
 * Mermaid's first render pays for its lazy set-up (diagram registry, theme, layout engine). Pay it with a
 * small diagram that uses every node shape, label form and class our graphs use.
 */
export async function warmUp(theme: ThemeName): Promise<void> {
  try {
    await renderSvg('bp-warm', `flowchart LR
  w0(["x<br/>value 1<br/>grad 2"])
  w1["2<br/>value 2<br/>grad 1"]
  w2("×<br/>value 2<br/>grad 1")
  w0 -->|"∂ 2"| w2
  w1 -->|"∂ 1"| w2
  class w0 bpInput
  class w1 bpConst
  class w2 bpOp
  class w2 bpOutput
`, theme);
  } catch {
    // Only a warm-up: the real render reports its own errors.
  }
}

/**
 * Mermaid's SVG text per drawn structure (theme, view, direction and source with the labels blanked), newest
 * last: a few recent drawings, so going back to an expression shown before skips Mermaid's layout.
 */
export class SvgCache {
  private readonly entries = new Map<string, string>();
  constructor(private readonly maxEntries = 8, private readonly maxChars = 8_000_000) {}

  get(key: string): string | undefined {
    return this.entries.get(key);
  }

  remember(key: string, svg: string): void {
    this.entries.delete(key);
    this.entries.set(key, svg);
    let chars = 0;
    for (const v of this.entries.values()) chars += v.length;
    for (const [k, v] of this.entries) {
      if (this.entries.size <= this.maxEntries && chars <= this.maxChars) break;
      this.entries.delete(k);
      chars -= v.length;
    }
  }
}
