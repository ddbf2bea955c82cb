/**
 * End-to-end harness: the packaged extension in a real VS Code (code-server 4.139.1 = VS Code 1.139.1, Node
 * extension host) driven by Debian's chromium through playwright-core. Nothing is downloaded here: the tools
 * come from `scripts/e2e-tools.sh` (cached in .e2e-tools/). Every wait is bounded and every process started
 * here is killed in `stop()`, on failure, and on process exit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, before } from 'node:test';
import { chromium, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';

export const ROOT = resolve(__dirname, '../..');
export const TOOLS = process.env.E2E_TOOLS_DIR ?? join(ROOT, '.e2e-tools');
export const OUTPUT = join(ROOT, 'test-output', 'e2e');
const MANIFEST = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { publisher: string; name: string };
/** `publisher.name`, as VS Code puts it in a webview iframe's src. */
export const EXTENSION_ID = `${MANIFEST.publisher}.${MANIFEST.name}`;
const NODE24_BIN = join(TOOLS, 'node24', 'bin');
const CODE_SERVER = join(TOOLS, 'code-server', 'node_modules', '.bin', 'code-server');

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** User settings for a quiet, deterministic workbench: no telemetry, updates, welcome page, chat or trust prompts. */
export const BASE_SETTINGS: Record<string, unknown> = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.colorTheme': 'Default Dark Modern',
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'editor.minimap.enabled': false,
  'editor.hover.delay': 300,
  'editor.codeLens': true,
  'window.restoreWindows': 'none',
};

function env(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${NODE24_BIN}:${process.env.PATH ?? ''}` };
}

export function toolsReady(): string | undefined {
  if (!existsSync(join(TOOLS, 'node24', '.e2e-complete'))) return `Node 24 missing in ${TOOLS}/node24: run npm run e2e:setup`;
  if (!existsSync(join(TOOLS, 'code-server', '.e2e-complete'))) return `code-server missing in ${TOOLS}/code-server: run npm run e2e:setup`;
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value other than undefined, or throws `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message.split('\n')[0]})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(everyMs);
  }
}

/** `vsce package` into `outDir`; returns the .vsix path. Fails loudly with vsce's own message. */
export function packageExtension(outDir: string): string {
  const vsix = join(outDir, 'backprop-graph-e2e.vsix');
  const vsce = join(ROOT, 'node_modules', '.bin', 'vsce');
  const r = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', vsix], {
    cwd: ROOT, encoding: 'utf8', timeout: 120_000,
  });
  if (r.status !== 0 || !existsSync(vsix)) {
    throw new Error(`vsce package failed (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return vsix;
}

/** Every file under `dir`, relative to it (for listing the workspace). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) stack.push(p);
      else out.push(relative(dir, p));
    }
  }
  return out.sort();
}

export interface StartOptions {
  /** Extra user settings merged over BASE_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Files written into the workspace before start: relative path → content. */
  files?: Record<string, string>;
  /**
   * Screenshot name prefix (e.g. `lessons-`) for a second test file: its run clears only its own pictures, and
   * an unprefixed run leaves them alone, so test files sharing test-output/e2e/ don't delete each other's.
   */
  shotPrefix?: string;
  /** More packaged extensions (.vsix paths) installed beside ours, e.g. the bench's reference extension. */
  extraVsix?: string[];
  /** The browser window's size (default 1500×900). */
  viewport?: { width: number; height: number };
}

/**
 * One session for a whole test file: started in `before` (then handed to `onStart`), stopped in `after`.
 */
export function sessionForFile(opts: StartOptions, onStart: (session: VsCodeSession) => void): void {
  let session: VsCodeSession | undefined;
  before(async () => {
    session = await VsCodeSession.start(opts);
    onStart(session);
    console.log(`# code-server on port ${session.port}; workspace files: ${listFiles(session.workspace).join(', ')}`);
  }, { timeout: 150_000 });
  after(async () => {
    if (session) await session.stop();
  }, { timeout: 30_000 });
}

/** One row of the graph panel's Inputs table, with the "from …" line under it. */
export interface InputRow { name: string; value: string; grad: string; source: string }

/** One running code-server with the packaged extension, and one chromium page on its workbench. */
export class VsCodeSession {
  readonly tmp: string;
  readonly workspace: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  port = 0;
  server?: ChildProcess;
  serverLog = '';
  context?: BrowserContext;
  page!: Page;
  private shotCounter = 0;
  private shotPrefix = '';
  private viewport = { width: 1500, height: 900 };
  private exitHook = () => this.killAll();
  // A signal (Ctrl+C, `timeout`, the test runner giving up) skips 'exit' hooks: kill code-server first.
  private signalHook = (signal: NodeJS.Signals) => {
    this.killAll();
    if (!process.env.E2E_KEEP_TMP) rmSync(this.tmp, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };

  private constructor() {
    this.tmp = mkdtempSync(join(tmpdir(), 'bpg-e2e-'));
    this.workspace = join(this.tmp, 'workspace');
    this.userDataDir = join(this.tmp, 'user-data');
    this.extensionsDir = join(this.tmp, 'extensions');
  }

  /** A workspace file's current text. */
  doc(rel: string): string {
    return readFileSync(join(this.workspace, rel), 'utf8');
  }

  static async start(opts: StartOptions = {}): Promise<VsCodeSession> {
    const missing = toolsReady();
    if (missing) throw new Error(missing);
    const s = new VsCodeSession();
    s.shotPrefix = opts.shotPrefix ?? '';
    s.viewport = opts.viewport ?? { width: 1500, height: 900 };
    process.once('exit', s.exitHook);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, s.signalHook);
    try {
      await s.boot(opts);
    } catch (e) {
      await s.screenshot('start-failed').catch(() => undefined);
      await s.stop();
      throw e;
    }
    return s;
  }

  private codeServerArgs(): string[] {
    // --config: otherwise code-server writes ~/.config/code-server/config.yaml.
    return ['--config', join(this.tmp, 'config.yaml'), '--user-data-dir', this.userDataDir, '--extensions-dir', this.extensionsDir];
  }

  private async boot(opts: StartOptions) {
    // The folder shows one run: drop the previous run's pictures.
    mkdirSync(OUTPUT, { recursive: true });
    const mine = (f: string) => (this.shotPrefix ? f.startsWith(this.shotPrefix) : /^\d/.test(f));
    for (const f of readdirSync(OUTPUT)) if (f.endsWith('.png') && mine(f)) rmSync(join(OUTPUT, f), { force: true });
    // The workspace is a copy: the fixtures, plus the shipped lessons when they exist.
    mkdirSync(join(this.workspace, 'lessons'), { recursive: true });
    // From ROOT, not __dirname: the bench bundles this file into bench/.out/.
    cpSync(join(ROOT, 'test', 'e2e', 'fixtures'), this.workspace, { recursive: true });
    if (existsSync(join(ROOT, 'lessons'))) cpSync(join(ROOT, 'lessons'), join(this.workspace, 'lessons'), { recursive: true });
    for (const [rel, text] of Object.entries(opts.files ?? {})) {
      mkdirSync(join(this.workspace, rel, '..'), { recursive: true });
      writeFileSync(join(this.workspace, rel), text);
    }
    this.writeSettings(opts.settings ?? {});

    for (const vsix of [packageExtension(this.tmp), ...(opts.extraVsix ?? [])]) {
      const install = spawnSync(CODE_SERVER, [...this.codeServerArgs(), '--install-extension', vsix], {
        env: env(), encoding: 'utf8', timeout: 60_000,
      });
      if (install.status !== 0 || !/successfully installed/i.test(install.stdout + install.stderr)) {
        throw new Error(`code-server --install-extension ${vsix} failed (status ${install.status}):\n${install.stdout}\n${install.stderr}`);
      }
    }

    this.port = await freePort();
    this.server = spawn(CODE_SERVER, [
      ...this.codeServerArgs(),
      '--auth', 'none', '--bind-addr', `127.0.0.1:${this.port}`, '--reconnection-grace-time', '5',
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', this.workspace,
    ], { env: env(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer) => { this.serverLog = (this.serverLog + b.toString()).slice(-20_000); };
    this.server.stdout!.on('data', keep);
    this.server.stderr!.on('data', keep);
    await waitFor('code-server /healthz', 30_000, async () => {
      if (this.server!.exitCode !== null) throw new Error(`code-server exited ${this.server!.exitCode}:\n${this.serverLog}`);
      const r = await fetch(`http://127.0.0.1:${this.port}/healthz`, { signal: AbortSignal.timeout(2000) });
      return r.ok ? true : undefined;
    });

    this.context = await chromium.launchPersistentContext(join(this.tmp, 'chromium-profile'), {
      executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
      viewport: this.viewport, timeout: 30_000,
    });
    this.context.setDefaultTimeout(15_000);
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    await this.loadWorkbench();
  }

  private async loadWorkbench(folder = this.workspace) {
    await this.page.goto(`http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(folder)}`, { timeout: 30_000 });
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 30_000 });
  }

  /**
   * Closes this window and opens a new one (a new page: new workbench, new extension host) on `folder`; the
   * browser profile (its caches) stays. On the same folder the workbench restores the editors and panels it
   * last saved (closing them first is not enough: closing the page saves no state), so a window that must start
   * with nothing open needs a folder of its own. Returns the milliseconds until the Explorer showed it.
   */
  async newWindow(folder = this.workspace): Promise<number> {
    const old = this.page;
    this.page = await this.context!.newPage();
    await old.close().catch(() => undefined);
    const t0 = performance.now();
    await this.loadWorkbench(folder);
    return performance.now() - t0;
  }

  writeSettings(extra: Record<string, unknown>) {
    mkdirSync(join(this.userDataDir, 'User'), { recursive: true });
    writeFileSync(join(this.userDataDir, 'User', 'settings.json'), JSON.stringify({ ...BASE_SETTINGS, ...extra }, null, 2));
  }

  /** True while code-server answers /healthz and its process is alive. */
  async alive(): Promise<boolean> {
    if (!this.server || this.server.exitCode !== null || this.server.signalCode !== null) return false;
    try {
      const r = await fetch(`http://127.0.0.1:${this.port}/healthz`, { signal: AbortSignal.timeout(3000) });
      return r.ok;
    } catch {
      return false;
    }
  }

  /** A numbered screenshot under test-output/e2e/ (named ones for success, `FAILED-…` ones for failures). */
  async screenshot(name: string): Promise<string | undefined> {
    if (!this.page) return undefined;
    const file = join(OUTPUT, `${this.shotPrefix}${String(++this.shotCounter).padStart(2, '0')}-${name.replace(/[^\w.-]+/g, '-')}.png`);
    await this.page.screenshot({ path: file, timeout: 10_000 });
    return file;
  }

  /** Runs `body`; on failure saves a FAILED screenshot and the server log tail into the error. */
  async step<T>(name: string, body: () => Promise<T>): Promise<T> {
    const t0 = Date.now();
    try {
      const v = await body();
      if (process.env.E2E_VERBOSE) console.log(`# step ${name}: ${Date.now() - t0} ms`);
      return v;
    } catch (e) {
      const shot = await this.screenshot(`FAILED-${name}`).catch(() => undefined);
      const err = e instanceof Error ? e : new Error(String(e));
      err.message += `\n  [step "${name}"; screenshot: ${shot ?? 'none'}]`;
      throw err;
    }
  }

  // ---- workbench helpers -------------------------------------------------------------------------------

  async dismissOverlays() {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Escape');
  }

  /**
   * Opens a workspace file with Quick Open (Ctrl+P) and waits for its editor tab to be active, then for
   * `ready` (the active group's text editor by default; a notebook editor is an overlay outside the group).
   */
  async openFile(rel: string, ready = '.editor-group-container.active .monaco-editor .view-lines') {
    const base = rel.split('/').pop()!;
    await this.retry(`open ${rel}`, async () => {
      await this.dismissOverlays();
      await this.focusFirstGroup();
      await this.page.keyboard.press('Control+P');
      const input = this.page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 8_000 });
      await input.fill(rel, { timeout: 8_000 });
      const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: base }).first();
      await row.waitFor({ state: 'visible', timeout: 8_000 });
      await this.page.keyboard.press('Enter');
      await this.page.locator('.tab.active', { hasText: base }).first().waitFor({ state: 'visible', timeout: 8_000 });
    });
    await this.page.locator(ready).first().waitFor({ state: 'visible' });
    await sleep(300);
  }

  /**
   * Runs a quick-input interaction up to 3 times: on a loaded machine a keystroke can land while the widget
   * is still closing (its input is then `inert`), and the whole sequence has to be redone.
   */
  async retry(what: string, body: () => Promise<void>, attempts = 3) {
    for (let i = 1; ; i++) {
      try {
        return await body();
      } catch (e) {
        if (i >= attempts) throw e;
        console.log(`# retrying "${what}" after: ${(e as Error).message.split('\n')[0]}`);
        await this.dismissOverlays();
        await sleep(500);
      }
    }
  }

  /** The active text editor (the focused group's Monaco instance). */
  editor() {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** Clicks the left editor group's active tab, so keys go to that editor (not to the webview beside it). */
  async focusFirstGroup() {
    const tab = this.page.locator('.editor-group-container').first().locator('.tab.active');
    if (await tab.count()) await tab.first().click();
  }

  /**
   * Moves the cursor to 1-based line:column with Go to Line (Ctrl+G); waits for the status bar to agree.
   * If Go to Line keeps missing (seen once on a slow CI machine), the last try clicks into the editor and walks
   * there with the keyboard; a failure says what the status bar and the tabs showed instead.
   */
  async goTo(line: number, column: number) {
    const position = this.page.locator('.statusbar-item', { hasText: new RegExp(`^\\s*Ln ${line}, Col ${column}\\s*$`) }).first();
    const viaGoToLine = async () => {
      await this.dismissOverlays();
      await this.focusFirstGroup();
      await this.page.keyboard.press('Control+G');
      const input = this.page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 8_000 });
      await input.fill(`:${line}:${column}`, { timeout: 8_000 });
      await sleep(150);
      await this.page.keyboard.press('Enter');
      await input.waitFor({ state: 'hidden', timeout: 8_000 });
      await position.waitFor({ state: 'visible', timeout: 8_000 });
    };
    try {
      await this.retry(`go to ${line}:${column}`, viaGoToLine, 2);
      return;
    } catch {
      console.log(`# go to ${line}:${column}: Go to Line missed twice (${await this.whereAmI()}); walking there with the keyboard`);
    }
    await this.dismissOverlays();
    await this.editor().locator('.view-lines').first().click({ position: { x: 5, y: 5 } });
    await this.page.keyboard.press('Control+Home');
    // Ctrl+G once more from a focused editor, then the keyboard if even that misses (word wrap aside, a
    // markdown editor wraps long lines, so arrow keys are the fallback of the fallback).
    try {
      await viaGoToLine();
      return;
    } catch { /* fall through */ }
    await this.editor().locator('.view-lines').first().click({ position: { x: 5, y: 5 } });
    await this.page.keyboard.press('Control+Home');
    for (let i = 1; i < line; i++) await this.page.keyboard.press('ArrowDown');
    await this.page.keyboard.press('Home');
    await this.page.keyboard.press('Home');
    for (let i = 1; i < column; i++) await this.page.keyboard.press('ArrowRight');
    try {
      await position.waitFor({ state: 'visible', timeout: 5_000 });
    } catch (e) {
      throw new Error(`could not move the cursor to ${line}:${column}: ${await this.whereAmI()}`, { cause: e });
    }
  }

  /** What the status bar's cursor item and the editor tabs show (for failure messages). */
  async whereAmI(): Promise<string> {
    const status = await this.page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).allInnerTexts().catch(() => []);
    const tabs = await this.page.locator('.editor-group-container').evaluateAll((groups: any[]) =>
      groups.map((g, i) => `group ${i + 1}${g.classList.contains('active') ? ' (active)' : ''}: ${[...g.querySelectorAll('.tab.active')].map((t: any) => t.textContent.trim()).join(', ')}`)).catch(() => []);
    const focused = await this.page.evaluate(() => { const el = document.activeElement as any; return el ? `${el.tagName}.${String(el.className).slice(0, 60)}` : 'none'; }).catch(() => '?');
    return `status bar: ${status.join(' | ') || 'no cursor item'}; tabs: ${tabs.join('; ')}; focus: ${focused}`;
  }

  /** The caret's screen box in the active editor. */
  async caretBox(): Promise<{ x: number; y: number; height: number }> {
    return this.editor().locator('.cursors-layer .cursor').first()
      .evaluate((el: any) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, height: r.height }; });
  }

  /**
   * Selects `text` (its `occurrence`-th appearance in `docText`, the file's content) in the active editor, as a
   * user would with the mouse: click at its start, Shift+click at its end (positions read from the caret after
   * Go to Line). Verified by the status bar's "(N selected)"; falls back to Shift+Right once per character.
   */
  async selectText(docText: string, text: string, occurrence = 0) {
    let at = -1;
    for (let i = 0; i <= occurrence; i++) {
      at = docText.indexOf(text, at + 1);
      if (at < 0) throw new Error(`"${text}" (occurrence ${occurrence}) not in the document`);
    }
    const steps = [...text.replace(/\r\n/g, '\n')].length;
    const selected = this.page.locator('.statusbar-item', { hasText: `(${steps} selected)` }).first();
    const start = lineColumn(docText, at);
    const end = lineColumn(docText, at + text.length);
    await this.goTo(end.line, end.column);
    const endBox = await this.caretBox();
    await this.goTo(start.line, start.column);
    const startBox = await this.caretBox();
    await this.page.mouse.click(startBox.x + 1, startBox.y + startBox.height / 2);
    await this.page.keyboard.down('Shift');
    await this.page.mouse.click(endBox.x + 1, endBox.y + endBox.height / 2);
    await this.page.keyboard.up('Shift');
    if (await selected.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false)) return;
    await this.goTo(start.line, start.column);
    for (let i = 0; i < steps; i++) await this.page.keyboard.press('Shift+ArrowRight');
    await selected.waitFor({ state: 'visible', timeout: 10_000 });
  }

  /** Runs a command from the palette (F1) by its full title, e.g. "Backprop Graph: Show Backprop Graph". */
  async runCommand(title: string, waitClosed = true) {
    await this.retry(`run ${title}`, async () => {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('F1');
      const input = this.page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 8_000 });
      await input.fill(`>${title}`, { timeout: 8_000 });
      const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      await row.waitFor({ state: 'visible', timeout: 10_000 });
      await this.page.keyboard.press('Enter');
    });
    // Not retried: the command has run once Enter was pressed on its row.
    if (waitClosed) await this.page.locator('.quick-input-widget input').waitFor({ state: 'hidden' });
  }

  /**
   * The graph panel's content document (VS Code nests it in two iframes). Only our extension's webview: a
   * notebook editor renders its markdown cells in a webview of its own, whose src has an empty extensionId.
   */
  webview(): FrameLocator {
    return this.page.frameLocator(`iframe.webview.ready[src*="extensionId=${EXTENSION_ID}&"]`).frameLocator('iframe#active-frame');
  }

  /** All rendered text of the webview: text nodes outside <style>/<script> (Mermaid embeds CSS with numbers). */
  async webviewText(): Promise<string> {
    return this.webview().locator('body').evaluate((body: any) => {
      const out: string[] = [];
      const walker = body.ownerDocument.createTreeWalker(body, 4 /* NodeFilter.SHOW_TEXT */);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const tag = n.parentElement?.tagName?.toLowerCase();
        if (tag === 'style' || tag === 'script') continue;
        const t = n.textContent.trim();
        if (t) out.push(t);
      }
      return out.join(' ');
    }, undefined, { timeout: 5_000 });
  }

  /** Waits until the webview's text satisfies every pattern; returns that text (or throws with the last text seen). */
  async waitForWebviewText(patterns: Array<{ test(text: string): boolean }>, timeoutMs = 25_000): Promise<string> {
    let last = '(webview not found)';
    try {
      return await waitFor(`webview text matching ${patterns.join(', ')}`, timeoutMs, async () => {
        last = await this.webviewText();
        return patterns.every((p) => p.test(last)) ? last : undefined;
      }, 400);
    } catch (e) {
      const notes = await this.notificationsText().catch(() => '');
      throw new Error(`${(e as Error).message}\n  last webview text: ${last.slice(0, 1500)}\n  notifications: ${notes || '(none)'}`, { cause: e });
    }
  }

  /** Class list of the webview body (VS Code sets vscode-light / vscode-dark / vscode-high-contrast). */
  async webviewBodyClass(): Promise<string> {
    return (await this.webview().locator('body').getAttribute('class', { timeout: 5_000 })) ?? '';
  }

  /** Hovers the mouse over the `length` characters at `offset` of the active editor's text `docText`; waits for the hover widget and returns its text. */
  async hoverAt(docText: string, offset: number, length: number, timeoutMs = 10_000): Promise<string> {
    const box = await this.textBox(docText, offset, length);
    // Away first, so a hover that is already showing elsewhere closes and this one is fresh.
    await this.page.mouse.move(2, 2);
    await this.dismissOverlays();
    await sleep(200);
    await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 3 });
    const hover = this.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents').first();
    await hover.waitFor({ state: 'visible', timeout: timeoutMs });
    await sleep(300); // hovers fill in providers' parts as they resolve
    return (await this.page.locator('.monaco-hover:not(.hidden)').first().innerText()).trim();
  }

  /**
   * Hovers like hoverAt until the hover's text passes `accept` (trying again every half second, up to
   * `timeoutMs`): a first hover can miss when CodeLenses appearing above the line move the text under the mouse.
   */
  async hoverUntil(docText: string, offset: number, length: number, what: string, accept: (text: string) => boolean, timeoutMs = 20_000): Promise<string> {
    return waitFor(what, timeoutMs, async () => {
      const t = await this.hoverAt(docText, offset, length, 4_000).catch(() => '');
      return accept(t) ? t : undefined;
    }, 500);
  }

  /** Screen box of a text range on one line: put the cursor at its start and read the caret's position (tokens of one colour share a span, so spans can't be used). */
  async textBox(docText: string, offset: number, length: number) {
    const start = lineColumn(docText, offset);
    await this.goTo(start.line, start.column);
    const startBox = await this.caretBox();
    const charWidth = await this.editor().locator('.view-lines').evaluate((el: any) => {
      const style = el.ownerDocument.defaultView.getComputedStyle(el);
      const span = el.ownerDocument.createElement('span');
      span.style.font = style.font;
      span.style.position = 'absolute';
      span.textContent = 'x'.repeat(100);
      el.ownerDocument.body.appendChild(span);
      const w = span.getBoundingClientRect().width / 100;
      span.remove();
      return w;
    });
    return { x: startBox.x, y: startBox.y, width: Math.max(charWidth * length, 4), height: startBox.height };
  }

  /** The CodeLens links currently rendered in the active editor. */
  codeLenses() {
    return this.editor().locator('.codelens-decoration a');
  }

  /** Clicks the first CodeLens titled `title` whose decoration sits right above `lineText` (the line's text). */
  async clickCodeLensAbove(docText: string, lineText: string, title: string) {
    const idx = docText.indexOf(lineText);
    if (idx < 0) throw new Error(`line "${lineText}" not in the document`);
    await this.clickCodeLensAboveLine(lineColumn(docText, idx).line, title);
  }

  /** Clicks the CodeLens titled `title` right above 1-based `line` of the active editor. */
  async clickCodeLensAboveLine(line: number, title: string) {
    await this.goTo(line, 1);
    const caretLocator = this.editor().locator('.cursors-layer .cursor').first();
    // The lens for this line is the closest decoration whose bottom edge is at or above the line's top.
    const lens = await waitFor(`CodeLens "${title}" above line ${line}`, 20_000, async () => {
      const caret = await caretLocator.evaluate((el: any) => el.getBoundingClientRect().y as number);
      const links = this.codeLenses().filter({ hasText: title });
      const n = await links.count();
      let best: { i: number; dist: number } | undefined;
      for (let i = 0; i < n; i++) {
        const b = await links.nth(i).boundingBox();
        if (!b) continue;
        const dist = caret - (b.y + b.height);
        if (dist >= -4 && dist < 40 && (!best || dist < best.dist)) best = { i, dist };
      }
      return best ? links.nth(best.i) : undefined;
    }, 500);
    await lens.click();
  }

  /** Visible notification toasts' text. */
  async notificationsText(): Promise<string> {
    const toasts = this.page.locator('.notifications-toasts .notification-toast');
    const n = await toasts.count();
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(await toasts.nth(i).innerText().catch(() => ''));
    return parts.join('\n');
  }

  /** The panel's Inputs table, one row per free variable, with the "from …" line under it. */
  async panelInputs(): Promise<InputRow[]> {
    return this.webview().locator('section.inputs').first().evaluate((section: any) => {
      const rows: Array<{ name: string; value: string; grad: string; source: string }> = [];
      for (const tr of section.querySelectorAll('tr')) {
        const name = tr.querySelector('th.name');
        if (!name) continue;
        const nums = tr.querySelectorAll('td.num');
        const next = tr.nextElementSibling;
        rows.push({
          name: name.textContent.trim(),
          value: (nums[0]?.textContent ?? '').trim().replace(/−/g, '-'),
          grad: (nums[1]?.textContent ?? '').trim().replace(/−/g, '-'),
          source: next?.classList.contains('source') ? next.textContent.trim() : '',
        });
      }
      return rows;
    }, undefined, { timeout: 5_000 });
  }

  /** Waits until the Inputs table shows exactly these gradients (display precision, 4 significant digits). */
  async waitForGradients(want: Record<string, string>, timeoutMs = 25_000): Promise<InputRow[]> {
    let last: InputRow[] = [];
    try {
      return await waitFor(`panel gradients ${JSON.stringify(want)}`, timeoutMs, async () => {
        last = await this.panelInputs();
        return Object.entries(want).every(([n, g]) => last.find((r) => r.name === n)?.grad === g) ? last : undefined;
      }, 400);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n  last inputs shown: ${JSON.stringify(last)}`, { cause: e });
    }
  }

  /**
   * In the notebook editor every code cell is its own Monaco editor (no Go to Line across cells): find the cell
   * line whose text is `lineText`, then the `title` CodeLens drawn right above it in the same cell, and click it.
   * The notebook keeps laying out after it opens (markdown cells render in their own webview and change height),
   * so the lens is clicked only once it sits still for two polls, and the click counts only if our panel's
   * webview appears: a click that landed while the cells moved is repeated (at most 3 clicks).
   */
  async clickNotebookCellLens(lineText: string, title: string) {
    const findSpot = () => this.page.evaluate((args: { lineText: string; title: string }) => {
      const doc = (globalThis as any).document;
      // No named helpers in here: tsx's keepNames would wrap them in a __name() the page does not have.
      // Every notebook editor on the page (the workbench keeps more than one overlay; hidden ones have no cells).
      for (const editor of doc.querySelectorAll('.notebook-editor .monaco-editor') as any) {
        const line = [...editor.querySelectorAll('.view-line')].find((l: any) => l.textContent.replace(/\u00a0/g, ' ').trim() === args.lineText) as any;
        if (!line) continue;
        const top = line.getBoundingClientRect().top;
        let best: { x: number; y: number; dist: number } | undefined;
        for (const a of editor.querySelectorAll('.codelens-decoration a') as any) {
          if (a.textContent.replace(/\u00a0/g, ' ').trim() !== args.title) continue;
          const r = a.getBoundingClientRect();
          const dist = top - r.bottom;
          if (r.width > 0 && dist >= -4 && dist < 40 && (!best || dist < best.dist)) best = { x: r.x + r.width / 2, y: r.y + r.height / 2, dist };
        }
        if (best) return best;
      }
      return null;
    }, { lineText, title });
    const panel = this.page.locator(`iframe.webview.ready[src*="extensionId=${EXTENSION_ID}&"]`);
    for (let attempt = 1; ; attempt++) {
      let previous: { x: number; y: number } | undefined;
      const spot = await waitFor(`CodeLens "${title}" above notebook cell line "${lineText}", still for two polls`, 30_000, async () => {
        const now = (await findSpot()) ?? undefined;
        const still = now && previous && Math.abs(now.x - previous.x) < 1 && Math.abs(now.y - previous.y) < 1;
        previous = now;
        return still ? now : undefined;
      }, 400);
      await this.page.mouse.click(spot.x, spot.y);
      const opened = await panel.first().waitFor({ state: 'attached', timeout: 10_000 }).then(() => true, () => false);
      if (opened) return;
      const notes = await this.notificationsText().catch(() => '');
      if (attempt >= 3) throw new Error(`clicked the CodeLens at (${spot.x}, ${spot.y}) ${attempt} times and no Backprop Graph panel opened; notifications: ${notes || '(none)'}`);
      console.log(`# notebook CodeLens click ${attempt} at (${spot.x}, ${spot.y}) opened no panel; notifications: ${notes || '(none)'}; clicking again`);
      await this.screenshot(`notebook-lens-click-${attempt}-no-panel`);
    }
  }

  /**
   * Switches between the light and dark default themes like a user, from the palette ("Preferences: Toggle
   * between Light/Dark Themes": no marketplace, unlike the theme picker's browse entry); waits for the workbench.
   */
  async setTheme(kind: 'light' | 'dark') {
    const want = kind === 'light' ? 'vs' : 'vs-dark';
    const current = async () => ((await this.page.locator('.monaco-workbench').getAttribute('class')) ?? '').split(/\s+/);
    if ((await current()).includes(want)) return;
    await this.runCommand('Preferences: Toggle between Light/Dark Themes');
    await waitFor(`workbench theme ${kind}`, 15_000, async () => ((await current()).includes(want) ? true : undefined));
  }

  private killAll() {
    const pid = this.server?.pid;
    if (pid && this.server!.exitCode === null) {
      // detached: code-server leads its own process group (server, extension host, pty host).
      try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  }

  async stop() {
    process.removeListener('exit', this.exitHook);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(sig, this.signalHook);
    if (this.context) await Promise.race([this.context.close().catch(() => undefined), sleep(10_000)]);
    this.killAll();
    if (!process.env.E2E_KEEP_TMP) rmSync(this.tmp, { recursive: true, force: true, maxRetries: 3 });
  }
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}
