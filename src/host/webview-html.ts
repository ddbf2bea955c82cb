/**
 * The graph webview's HTML, shared by the VS Code panel, the CLI's `--format html` page and the Chromium tests.
 * Pure string building: no vscode, no Node built-ins (the callers pass URIs, the CSP source and a nonce).
 */
import { encodeNumbers, NUMBER_TAG, type GraphPayload, type WebviewState } from '../protocol';

export interface WebviewHtmlOptions {
  /** `webview.cspSource` in VS Code (the origin the webview's resources are served from). */
  cspSource: string;
  /** A fresh random value per page load (from `crypto`); only scripts carrying it run. */
  nonce: string;
  /** `asWebviewUri` of media/dist/webview.js: an ES module that imports its chunks from media/dist/chunks/. */
  scriptUri: string;
  /** `asWebviewUri` of media/dist/webview.css. */
  styleUri: string;
  /** Restored state (WebviewPanelSerializer) or a first payload, shown before any message arrives. */
  initialState?: WebviewState;
}

/** Escapes text for an HTML attribute value or element content. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a `<script type="application/json">` element (cannot close it or start a comment). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value, encodeNumbers)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The page skeleton: toolbar, diagram area, side panel. The script fills it in; it reads as a page without it. */
function body(initialState: WebviewState | undefined): string {
  const state = initialState ? `\n<script type="application/json" id="bp-initial-state">${jsonForScript(initialState)}</script>` : '';
  return `<div id="app">
<header id="toolbar" role="toolbar" aria-label="Graph tools">
  <span id="title" class="title" aria-live="polite"></span>
  <span class="group" role="group" aria-label="View">
    <button type="button" id="btn-fit" title="Fit the graph to the panel (F)">Fit</button>
    <button type="button" id="btn-zoom-out" title="Zoom out (−)" aria-label="Zoom out">−</button>
    <button type="button" id="btn-zoom-in" title="Zoom in (+)" aria-label="Zoom in">+</button>
    <span id="zoom-level" class="zoom-level" aria-live="off"></span>
  </span>
  <span class="group" role="group" aria-label="Step through the passes">
    <button type="button" id="btn-step-mode" title="Switch between stepping the backward and the forward pass" aria-pressed="false">Backward</button>
    <button type="button" id="btn-step-prev" title="Previous step (,)" aria-label="Previous step">◀</button>
    <button type="button" id="btn-step" title="Next step (.)">Step ▶</button>
    <button type="button" id="btn-play" title="Play the pass (P)" aria-pressed="false">Play</button>
    <button type="button" id="btn-step-reset" title="Leave stepping (Esc)">Reset</button>
  </span>
  <span class="group" role="group" aria-label="Export">
    <button type="button" id="btn-copy" title="Copy the Mermaid source"><span class="wide-only">Copy </span>Mermaid</button>
    <button type="button" id="btn-svg" title="Save the graph as SVG"><span class="wide-only">Save </span>SVG</button>
    <button type="button" id="btn-png" title="Save the graph as PNG"><span class="wide-only">Save </span>PNG</button>
    <button type="button" id="btn-pin" title="Keep this graph when the source changes" aria-pressed="false">Pin</button>
  </span>
</header>
<div id="stepbar"><div id="step-status" class="step-status" aria-live="polite"></div></div>
<main id="main">
  <section id="diagram-area" tabindex="0" aria-label="Computational graph. Arrow keys pan, + and − zoom, F fits, O goes to the output, double-click zooms in.">
    <div id="viewport"><div id="diagram"></div></div>
    <div id="message" role="status" aria-live="polite"><p class="loading">Loading the graph…</p></div>
  </section>
  <aside id="side" aria-label="Values and gradients"></aside>
</main>
</div>${state}`;
}

/** The document around both pages: the CSP meta first in <head>, then the page's own style element. */
function page(csp: string, title: string, style: string, bodyAttributes: string, content: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
${style}
<title>${escapeHtml(title)}</title>
</head>
<body${bodyAttributes}>
${content}
</body>
</html>
`;
}

/**
 * The panel's HTML: strict CSP, one nonce'd module script, Mermaid's inline styles allowed (style-src only).
 * The module imports its chunks (Mermaid's core, the flowchart diagram, dagre) from media/dist/chunks/; imported
 * modules inherit the nonce of the module script that imports them, so script-src stays nonce-only: a script
 * element without the nonce does not run, even one pointing into the extension's media.
 */
export function webviewHtml(options: WebviewHtmlOptions): string {
  const { cspSource, nonce, scriptUri, styleUri, initialState } = options;
  const csp = [
    `default-src 'none'`,
    `img-src ${cspSource} data: blob:`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ') + ';';
  return page(csp, 'Backprop Graph', `<link rel="stylesheet" href="${escapeHtml(styleUri)}">`, '', `${body(initialState)}
<script type="module" nonce="${escapeHtml(nonce)}" src="${escapeHtml(scriptUri)}"></script>`);
}

export interface SelfContainedOptions {
  /** The webview bundle as one classic script (dist/webview-inline.js, not the panel's module build). */
  script: string;
  /** The webview stylesheet's text (dist/webview-inline.css). */
  css: string;
  payload: GraphPayload;
  /** Defaults to a random value from Web Crypto. */
  nonce?: string;
}

function randomNonce(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The same page as one offline file (the CLI's `--format html`): script and CSS inlined, a stub
 * `acquireVsCodeApi` that keeps state in memory and handles export itself (clipboard, downloads), and the
 * graph delivered as soon as the webview says it is ready. Nothing is fetched: the CSP allows no network.
 */
export function selfContainedHtml(options: SelfContainedOptions): string {
  const nonce = options.nonce ?? randomNonce();
  const csp = `default-src 'none'; img-src data: blob:; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; font-src data:;`;
  // Inline text must not close its element early.
  const css = options.css.replace(/<\/style/gi, '<\\/style');
  const script = options.script.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\u0021--');
  const stub = `(function () {
  // Non-finite numbers come tagged (encodeNumbers in src/protocol.ts): read back as numbers, as reviveNumbers does.
  var payload = JSON.parse(document.getElementById('bp-payload').textContent, function (k, v) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      var keys = Object.keys(v), t = v[${JSON.stringify(NUMBER_TAG)}];
      if (keys.length === 1 && keys[0] === ${JSON.stringify(NUMBER_TAG)} && (t === 'NaN' || t === 'Infinity' || t === '-Infinity')) return Number(t);
    }
    return v;
  });
  var state;
  var body = document.body;
  if (!/\\bvscode-(light|dark|high-contrast)/.test(body.className)) {
    body.classList.add(window.matchMedia && matchMedia('(prefers-color-scheme: dark)').matches ? 'vscode-dark' : 'vscode-light');
  }
  function download(name, href) {
    var a = document.createElement('a');
    a.href = href; a.download = name; document.body.appendChild(a); a.click(); a.remove();
  }
  window.acquireVsCodeApi = function () {
    return {
      postMessage: function (m) {
        if (!m || typeof m !== 'object') return;
        if (m.kind === 'ready') window.postMessage({ kind: 'graph', payload: payload }, '*');
        else if (m.kind === 'copyMermaid' && navigator.clipboard) navigator.clipboard.writeText(m.text).catch(function () {});
        else if (m.kind === 'save' && m.format === 'svg') download('backprop-graph.svg', URL.createObjectURL(new Blob([m.data], { type: 'image/svg+xml' })));
        else if (m.kind === 'save' && m.format === 'png') download('backprop-graph.png', m.data);
      },
      getState: function () { return state; },
      setState: function (s) { state = s; return s; }
    };
  };
})();`;
  return page(csp, `Backprop Graph: ${options.payload.title}`, `<style>${css}</style>`, ' class="standalone"', `${body(undefined)}
<script type="application/json" id="bp-payload">${jsonForScript(options.payload)}</script>
<script nonce="${escapeHtml(nonce)}">${stub}</script>
<script nonce="${escapeHtml(nonce)}">${script}</script>`);
}
