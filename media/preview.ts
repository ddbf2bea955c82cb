/**
 * The Markdown preview's script (`markdown.previewScripts`): draws each ```backprop placeholder that
 * src/markdown/plugin.ts rendered, with the panel's Mermaid set-up (render.ts: securityLevel 'strict', bundled,
 * nothing fetched) and its theme colours, in the preview's theme (body class vscode-light / -dark /
 * -high-contrast). It redraws after every preview update ('vscode.markdown.updateContent') and theme change;
 * drawings already made come from a cache at once, so an update does not flash. Reads only the placeholder's
 * data attribute (the emitter's Mermaid source) and writes only Mermaid's sanitized SVG and text.
 */
import './preview.css';
import { SVG_NS } from './dom';
import { linkElements } from './drawing';
import { writeCompleteLabels } from './labels';
import { MAX_EDGES, MAX_TEXT, renderSvg, SvgCache } from './render';
import { readSource, withDirection } from './source';
import { graphStyle, themeFromBody, type ThemeName } from './theme';

const PLACEHOLDERS = '.bp-preview[data-bp-mermaid]';
/** Drawn left to right unless that shrinks the text below this scale and top to bottom shrinks it less. */
const MIN_LR_SCALE = 0.85;

const cache = new SvgCache(32);
let renders = 0;
let running = false;
let again = false;

interface Drawing { svg: string; direction: 'LR' | 'TB' }

function diagramOf(el: HTMLElement): HTMLElement {
  return el.querySelector<HTMLElement>(':scope > .bp-preview-diagram') ?? el;
}

function key(theme: ThemeName, direction: string, source: string): string {
  return `${theme}\n${direction}\n${source}`;
}

/** Puts a drawing into a placeholder: the SVG at its natural size, never wider than the preview. */
function show(el: HTMLElement, drawing: Drawing, theme: ThemeName, drawnKey: string): void {
  const diagram = diagramOf(el);
  diagram.innerHTML = drawing.svg; // Mermaid's output, sanitized by it (securityLevel strict); labels entity-escaped
  const svg = diagram.querySelector('svg');
  if (!svg) return;
  const vb = svg.viewBox.baseVal;
  svg.removeAttribute('style');
  svg.setAttribute('width', String(Math.ceil(vb.width)));
  svg.setAttribute('height', String(Math.ceil(vb.height)));
  svg.classList.add('bp-graph');
  const style = document.createElementNS(SVG_NS, 'style');
  style.textContent = graphStyle(theme);
  svg.append(style);
  // The emitter's labels, written as the panel writes them (entity codes decoded, one text node per row), and
  // the edge label boxes fitted to graphStyle's font.
  const info = readSource(el.dataset.bpMermaid ?? '');
  writeCompleteLabels({ info, edges: info.links, ...linkElements(svg, info.links) });
  el.dataset.bpDrawn = drawnKey;
  el.dataset.bpDirection = drawing.direction;
}

function showError(el: HTMLElement, message: string, drawnKey: string): void {
  const diagram = diagramOf(el);
  const box = document.createElement('div');
  box.className = 'bp-preview-error';
  box.setAttribute('role', 'alert');
  box.textContent = `Backprop Graph: ${message}`;
  diagram.replaceChildren(box);
  el.dataset.bpDrawn = drawnKey;
}

async function svgFor(source: string, direction: 'LR' | 'TB', theme: ThemeName): Promise<string> {
  const k = key(theme, direction, source);
  const hit = cache.get(k);
  if (hit !== undefined) return hit;
  const svg = await renderSvg(`bp-preview-${++renders}`, withDirection(source, direction), theme);
  cache.remember(k, svg);
  return svg;
}

function naturalWidth(svg: string): number {
  const m = /viewBox="[-\d.e]+ [-\d.e]+ ([\d.e]+) /.exec(svg);
  return m ? Number(m[1]) : 0;
}

/** LR, or TB when the preview is too narrow for LR at a readable scale and TB reads larger. */
async function drawingFor(source: string, theme: ThemeName, width: number): Promise<Drawing> {
  const lr = await svgFor(source, 'LR', theme);
  const lrScale = Math.min(1, width / Math.max(1, naturalWidth(lr)));
  if (!(width > 0) || lrScale >= MIN_LR_SCALE) return { svg: lr, direction: 'LR' };
  const tb = await svgFor(source, 'TB', theme);
  const tbScale = Math.min(1, width / Math.max(1, naturalWidth(tb)));
  return tbScale > lrScale * 1.1 ? { svg: tb, direction: 'TB' } : { svg: lr, direction: 'LR' };
}

/** What a placeholder is drawn as: its source in the theme. */
function drawnKeyOf(el: HTMLElement, theme: ThemeName): string {
  return `${theme}\n${el.dataset.bpMermaid ?? ''}`;
}

/** The drawing chosen for each source and theme (drawnKeyOf), newest last. */
const chosen = new Map<string, Drawing>();
const CHOSEN_MAX = 32;

function choose(drawnKey: string, drawing: Drawing): void {
  chosen.delete(drawnKey);
  chosen.set(drawnKey, drawing);
  if (chosen.size > CHOSEN_MAX) chosen.delete(chosen.keys().next().value!);
}

/** Placeholders drawn before go in at once (no flash after an update); the others are returned. */
function showCached(theme: ThemeName): HTMLElement[] {
  const todo: HTMLElement[] = [];
  for (const el of document.querySelectorAll<HTMLElement>(PLACEHOLDERS)) {
    const drawnKey = drawnKeyOf(el, theme);
    if (el.dataset.bpDrawn === drawnKey) continue;
    const drawing = chosen.get(drawnKey);
    if (drawing) show(el, drawing, theme, drawnKey);
    else todo.push(el);
  }
  return todo;
}

async function drawAll(): Promise<void> {
  const theme = themeFromBody(document.body);
  for (const el of showCached(theme)) {
    if (!el.isConnected) continue;
    const drawnKey = drawnKeyOf(el, theme);
    const source = el.dataset.bpMermaid ?? '';
    const info = readSource(source);
    if (info.edges.length > MAX_EDGES || source.length > MAX_TEXT) {
      showError(el, `this graph is too large to draw here (${info.nodeCount} nodes, ${info.edges.length} edges): open it with Show Backprop Graph`, drawnKey);
      continue;
    }
    try {
      const drawing = await drawingFor(source, theme, diagramOf(el).clientWidth);
      // The page may have been updated (or the theme changed) while Mermaid worked: that element's next pass draws it.
      choose(drawnKey, drawing);
      if (el.isConnected && drawnKeyOf(el, themeFromBody(document.body)) === drawnKey) show(el, drawing, theme, drawnKey);
    } catch (e) {
      showError(el, `the diagram could not be drawn: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`, drawnKey);
    }
  }
}

/** One pass at a time (Mermaid renders one diagram at a time); a request during a pass runs one more after it. */
function schedule(): void {
  if (running) {
    again = true;
    return;
  }
  running = true;
  void (async () => {
    try {
      do {
        again = false;
        await drawAll();
      } while (again);
    } finally {
      running = false;
    }
  })();
}

window.addEventListener('vscode.markdown.updateContent', schedule);
// A wider or narrower preview may read better in the other direction: choose again (Mermaid's drawings stay cached).
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
let drawnWidth = window.innerWidth;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    if (Math.abs(window.innerWidth - drawnWidth) < 40) return;
    drawnWidth = window.innerWidth;
    chosen.clear();
    for (const el of document.querySelectorAll<HTMLElement>(PLACEHOLDERS)) delete el.dataset.bpDrawn;
    schedule();
  }, 250);
});
// The preview follows VS Code's theme by changing the body's class.
new MutationObserver(schedule).observe(document.body, { attributes: true, attributeFilter: ['class'] });
// Placeholders that arrive without an updateContent event this script saw (the first content of a preview can be
// in the page before or after this script runs): any new placeholder asks for a pass. Once in CI the day-40
// preview stayed at "drawing the graph…" for a minute; the cause was not found, this covers the missed-event case.
new MutationObserver((records) => {
  const added = records.some((r) => [...r.addedNodes].some((n) => n instanceof HTMLElement && (n.matches(PLACEHOLDERS) || n.querySelector(PLACEHOLDERS))));
  if (added) schedule();
}).observe(document.body, { childList: true, subtree: true });
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', schedule, { once: true });
else schedule();
