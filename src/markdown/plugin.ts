/**
 * The markdown-it plugin behind VS Code's Markdown preview (`markdown.markdownItPlugins`): a ```backprop fence
 * renders as its code, then a placeholder carrying the graph's Mermaid source (escaped, in a data attribute) and
 * a caption with the value and gradients; media/preview.ts draws the placeholders in the preview. No HTML is
 * built from user text: everything from the document goes through markdown-it's escapeHtml. Runs in the
 * extension host (Node or a web worker): no Node APIs, no vscode; the engine and the settings are handed in.
 */
import { formatNumber } from '../engine/base/format';
import { LineIndex } from '../engine/base/span';
import { documentAssignments, parseBackpropInfo, scanMarkdown, type Assignment, type Block, type TextLang } from '../vscode/text/scan';
import { DEFAULT_FENCE_SETTINGS, traceFence, type FenceEngine, type FenceOutcome, type FenceSettings } from './trace-fence';

/** The parts of markdown-it this plugin uses (markdown-it itself is the preview's, not bundled here). */
export interface MdToken {
  type: string;
  info: string;
  content: string;
  map: [number, number] | null;
  meta: unknown;
}
type RenderRule = (tokens: MdToken[], idx: number, options: unknown, env: unknown, self: unknown) => string;
export interface MarkdownItLike {
  core: { ruler: { push(name: string, rule: (state: { src: string; tokens: MdToken[] }) => void): void } };
  renderer: { rules: Record<string, RenderRule | undefined> };
  utils: { escapeHtml(text: string): string };
}

export interface PreviewPluginOptions {
  /** The engine, loaded on the first ```backprop fence (the TypeScript compiler only for a TypeScript one). */
  engine: () => FenceEngine;
  /** Read once per render. */
  settings?: () => FenceSettings;
}

/** What the core rule leaves on a ```backprop fence token for the renderer. */
interface FenceMeta { backpropOutcome: FenceOutcome; codeInfo: string; digits: number }

/** Class of the placeholder media/preview.ts draws into; its data attributes are the protocol between the two. */
export const PLACEHOLDER_CLASS = 'bp-preview';

/** Outcomes of recent fences by their traced inputs: typing elsewhere in the page re-traces nothing. */
const CACHE_MAX = 64;

export function backpropMarkdownIt<T extends MarkdownItLike>(md: T, options: PreviewPluginOptions): T {
  const cache = new Map<string, FenceOutcome>();
  md.core.ruler.push('backprop_fences', (state) => {
    const fences = state.tokens.filter((t) => t.type === 'fence' && parseBackpropInfo(t.info) && t.map);
    if (!fences.length) return;
    const settings = options.settings?.() ?? DEFAULT_FENCE_SETTINGS;
    let engine: FenceEngine | string;
    try {
      engine = options.engine();
    } catch (e) {
      engine = `the engine could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
    }
    // A fence without a language is read as the engine detects it, for its own statements and for later fences.
    const detect = typeof engine === 'string' ? undefined : (text: string) => (engine as FenceEngine).detectLang(text) as TextLang;
    const blocks = scanMarkdown(state.src).filter((b) => b.kind === 'fence' && b.backprop);
    let assignments: Assignment[] | undefined;
    for (const token of fences) {
      const info = parseBackpropInfo(token.info)!;
      const line = token.map![0];
      // The fence as the editor's scanner sees it (so values and earlier statements come from the page, as in
      // the panel); a fence nested in a list or quote is traced from its own text, its lines shifted.
      const inDoc = blocks.find((b) => b.line === line && state.src.slice(b.start, b.end) === token.content.trimEnd());
      let target: { doc: string; block: Block; assignments: readonly Assignment[]; lineOffset?: number };
      if (inDoc) {
        assignments ??= documentAssignments(state.src, 'markdown', detect);
        target = { doc: state.src, block: inDoc, assignments };
      } else {
        const doc = `\`\`\`${token.info}\n${token.content}\`\`\`\n`;
        const block = scanMarkdown(doc)[0];
        target = { doc, block, assignments: documentAssignments(doc, 'markdown', detect), lineOffset: line };
      }
      token.meta = { backpropOutcome: traceCached(cache, engine, target, settings), codeInfo: info.lang ?? '', digits: settings.digits } satisfies FenceMeta;
    }
  });

  const fallback: RenderRule = (tokens, idx) => `<pre><code>${md.utils.escapeHtml(tokens[idx].content)}</code></pre>\n`;
  const fence = md.renderer.rules.fence ?? fallback;
  md.renderer.rules.fence = (tokens, idx, opts, env, self) => {
    const token = tokens[idx];
    const meta = token.meta as Partial<FenceMeta> | null;
    if (!meta?.backpropOutcome) return fence(tokens, idx, opts, env, self);
    // The code as the preview shows any fence (its highlighting, its scroll-sync attributes), under its language.
    const info = token.info;
    token.info = meta.codeInfo ?? '';
    let code: string;
    try {
      code = fence(tokens, idx, opts, env, self);
    } finally {
      token.info = info;
    }
    return code + outcomeHtml(meta.backpropOutcome, md.utils.escapeHtml, token.content, meta.digits);
  };
  return md;
}

function traceCached(cache: Map<string, FenceOutcome>, engine: FenceEngine | string, target: { doc: string; block: Block; assignments: readonly Assignment[]; lineOffset?: number }, settings: FenceSettings): FenceOutcome {
  if (typeof engine === 'string') {
    const at = new LineIndex(target.doc).position(target.block.outerStart);
    return { kind: 'error', message: engine, line: at.line + (target.lineOffset ?? 0), col: at.col };
  }
  // Everything the outcome depends on: the block, the page before it (values, earlier statements) and the settings.
  const key = JSON.stringify([target.doc.slice(0, target.block.outerEnd), target.block.start, target.lineOffset ?? 0, settings]);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const outcome = traceFence(engine, target, settings);
  cache.set(key, outcome);
  if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value!);
  return outcome;
}

/** The placeholder (or the error) after the fence's code. Every piece of document text is escaped. */
export function outcomeHtml(outcome: FenceOutcome, escape: (text: string) => string, code: string, digits = 4): string {
  if (outcome.kind === 'error') {
    return `<div class="${PLACEHOLDER_CLASS} bp-preview-error" role="alert"><span class="bp-preview-brand">Backprop Graph</span> `
      + `<span class="bp-preview-where">line ${outcome.line}:${outcome.col}</span> ${escape(outcome.message)}</div>\n`;
  }
  const out = outcome.outputName ?? 'output';
  const fmt = (v: number) => formatNumber(v, digits);
  const parts = [`${out} = ${fmt(outcome.value)}`, ...outcome.inputs.map((i) => `∂${out}/∂${i.name} = ${fmt(i.grad)}`)];
  const at = outcome.inputs.length ? ` at ${outcome.inputs.map((i) => `${i.name} = ${fmt(i.value)}`).join(', ')}` : '';
  const title = code.replace(/\s+/g, ' ').trim();
  return `<div class="${PLACEHOLDER_CLASS}" data-bp-mermaid="${escape(outcome.mermaid)}" data-bp-nodes="${outcome.nodeCount}">`
    + `<div class="bp-preview-diagram" role="img" aria-label="${escape(`Computational graph of ${title.length > 80 ? `${title.slice(0, 79)}…` : title}`)}">`
    + `<span class="bp-preview-pending">drawing the graph…</span></div>`
    + `<p class="bp-preview-caption">${escape(parts.join(' · ') + at)}</p></div>\n`;
}
