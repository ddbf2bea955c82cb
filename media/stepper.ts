/**
 * Stepping through the forward and backward passes on the drawing: which node is current, what its labels
 * say at this step, and the explanation beside the controls (#step-status). The bookkeeping is steps.ts.
 */
import { formatNumber } from '../src/engine/base/format';
import { nodeTitle } from '../src/engine/mermaid/mermaid';
import { byId, el } from './dom';
import type { Drawn } from './drawing';
import { completeEdgeLabels, fitEdgeLabels, setTextLines, stepEdgeText, stepNodeLines, writeCompleteLabels } from './labels';
import { addMark } from './marks';
import { stepAt, type StepMode, type StepView } from './steps';

const HINT = 'Step walks the backward pass one node at a time, output first (or the forward pass: switch with Backward/Forward). Keys: . next, , back, P play, Esc leave.';

export class Stepper {
  private step: { mode: StepMode; index: number } | undefined;
  private playTimer: number | undefined;
  /** The pass Step and Play walk. */
  mode: StepMode = 'backward';

  constructor(private readonly current: () => Drawn | undefined, private readonly status: HTMLElement) {
    this.showHint();
  }

  get active(): boolean {
    return this.step !== undefined;
  }

  private steppable(): Drawn | undefined {
    const d = this.current();
    // Stepping walks the scalar graph only, and only a graph with numbers (a symbolic graph's are placeholders).
    return d && !d.tensor && !d.graph.symbolic ? d : undefined;
  }

  start(mode: StepMode, index = 0): void {
    if (!this.steppable()) return;
    this.step = { mode, index };
    this.show();
  }

  by(delta: number): void {
    const d = this.steppable();
    if (!d) return;
    if (!this.step) return this.start(this.mode, delta < 0 ? Number.MAX_SAFE_INTEGER : 0);
    const count = stepAt(d.graph, this.step.mode, 0).count;
    this.step.index = Math.max(0, Math.min(count - 1, this.step.index + delta));
    this.show();
  }

  setMode(mode: StepMode): void {
    this.mode = mode;
    const b = byId('btn-step-mode');
    b.textContent = mode === 'backward' ? 'Backward' : 'Forward';
    b.setAttribute('aria-pressed', String(mode === 'forward'));
    if (this.step) this.start(mode, 0);
  }

  /** Leaves stepping: the drawing shows the complete graph again. */
  stop(): void {
    this.stopPlay();
    this.step = undefined;
    const d = this.current();
    if (d) this.clearMarks(d);
    if (d) writeCompleteLabels(d);
    this.showHint();
  }

  /** Forgets the step without touching the drawing (a new drawing replaces it). */
  forget(): void {
    this.stopPlay();
    this.step = undefined;
    this.showHint();
  }

  /** After a redraw of the same structure (new numbers): the step, clamped to the new pass, drawn again. */
  redraw(): void {
    const d = this.current();
    if (!this.step) return;
    if (!d || d.tensor) return this.forget();
    this.step.index = Math.min(this.step.index, stepAt(d.graph, this.step.mode, 0).count - 1);
    this.show();
  }

  /**
   * Runs `fn` with the drawing showing the complete graph (every value and gradient), then puts the step
   * back: exports never carry the step view.
   */
  withCompleteGraph<T>(fn: () => T): T {
    const d = this.current();
    if (!this.step || !d) return fn();
    this.clearMarks(d);
    writeCompleteLabels(d);
    try {
      return fn();
    } finally {
      this.show();
    }
  }

  togglePlay(): void {
    if (this.playTimer !== undefined) return this.stopPlay();
    const d = this.steppable();
    if (!d) return;
    const count = stepAt(d.graph, this.mode, 0).count;
    if (!this.step || this.step.mode !== this.mode || this.step.index >= count - 1) this.start(this.mode, 0);
    const b = byId('btn-play');
    b.setAttribute('aria-pressed', 'true');
    b.textContent = 'Pause';
    this.playTimer = window.setInterval(() => {
      const now = this.steppable();
      if (!now || !this.step) return this.stopPlay();
      if (this.step.index >= stepAt(now.graph, this.step.mode, 0).count - 1) return this.stopPlay();
      this.by(1);
    }, 900);
  }

  stopPlay(): void {
    if (this.playTimer !== undefined) window.clearInterval(this.playTimer);
    this.playTimer = undefined;
    const b = byId('btn-play');
    b.setAttribute('aria-pressed', 'false');
    b.textContent = 'Play';
  }

  private clearMarks(d: Drawn): void {
    d.svg.classList.remove('stepping');
    for (const g of d.nodeEls.values()) {
      g.classList.remove('bp-current', 'bp-done');
      g.querySelector(':scope > rect.bp-mark-current')?.remove();
    }
    for (const p of d.edgePaths) p?.classList.remove('bp-active', 'bp-done');
    for (const l of d.edgeLabels) l?.parentElement?.classList.remove('bp-active');
  }

  private show(): void {
    const d = this.steppable();
    if (!d || !this.step) return;
    const view = stepAt(d.graph, this.step.mode, this.step.index);
    d.svg.classList.add('stepping');
    const byNode = new Map(d.graph.nodes.map((n) => [n.id, n]));
    const complete = completeEdgeLabels(d.info, d.edges);
    for (const [id, g] of d.nodeEls) {
      const node = byNode.get(id);
      g.classList.toggle('bp-current', id === view.node);
      g.querySelector(':scope > rect.bp-mark-current')?.remove();
      if (id === view.node) addMark(g, 'bp-mark-current', 'current step');
      if (!node) continue;
      g.classList.toggle('bp-done', view.mode === 'backward' ? view.complete.has(id) : view.acc.has(id));
      setTextLines(g, stepNodeLines(d.info.nodeLabels.get(id) ?? [], node, view, d.payload.digits));
    }
    d.graph.edges.forEach((e, i) => {
      const path = d.edgePaths[i];
      const label = d.edgeLabels[i];
      if (!path && !label) return; // not drawn
      const active = view.active.includes(i);
      path?.classList.toggle('bp-active', active);
      label?.parentElement?.classList.toggle('bp-active', active);
      path?.classList.toggle('bp-done', view.done.has(i) && !active);
      const text = stepEdgeText(complete[i], e, i, view, byNode.get(e.from)?.value ?? NaN, d.payload.digits);
      setTextLines(label, text ? [text] : []);
    });
    fitEdgeLabels(d.edgeLabels);
    this.renderStatus(view, d);
  }

  private showHint(): void {
    this.status.parentElement?.classList.remove('stepping');
    this.status.replaceChildren(el('p', 'step-hint', HINT));
    delete this.status.dataset.node;
    delete this.status.dataset.index;
    delete this.status.dataset.mode;
  }

  private renderStatus(view: StepView, d: Drawn): void {
    const status = this.status;
    const fmt = (v: number) => formatNumber(v, d.payload.digits);
    const byNode = new Map(d.graph.nodes.map((n) => [n.id, n]));
    const node = byNode.get(view.node);
    // The node's title as the graph draws it (the emitter's: `u = x²`, `(y − target)²`), so the text names what
    // the picture shows.
    const labels = { digits: d.payload.digits, constants: d.payload.constants, constantGrads: d.payload.constantGrads, graph: d.graph };
    const name = (id: string) => {
      const n = byNode.get(id);
      return n ? nodeTitle(n, labels) : id;
    };
    status.parentElement?.classList.add('stepping');
    status.replaceChildren();
    status.dataset.node = view.node;
    status.dataset.index = String(view.index);
    status.dataset.mode = view.mode;
    status.append(el('p', 'step-head', `${view.mode === 'backward' ? 'Backward' : 'Forward'} step ${view.index + 1} of ${view.count}: ${name(view.node)}`));
    if (view.mode === 'backward' && node) {
      status.append(el('p', '', `upstream gradient arriving at ${name(view.node)}: ${fmt(node.grad)}`));
      const ul = el('ul', 'contributions');
      // A constant's contribution only when constants' gradients are shown (setting constantGradients).
      const shown = (id: string) => byNode.get(id)?.kind !== 'const' || !!d.payload.constantGrads;
      for (const i of view.active) {
        const e = d.graph.edges[i];
        if (!shown(e.from)) continue;
        // The full local formula here; the edge itself shows the short form (or the number only).
        const local = e.localFormula && e.localFormula !== fmt(e.local) ? `${e.localFormula} = ${fmt(e.local)}` : fmt(e.local);
        const li = el('li', 'contribution', `${name(e.from)}: local ${local} × upstream ${fmt(e.upstream)} = ${fmt(e.product)}`);
        li.dataset.from = e.from;
        li.dataset.product = String(e.product);
        ul.append(li);
      }
      status.append(ul);
      const accList = el('ul', 'accumulated');
      // The inputs drawn (a collapsed group's label lists the ones only it uses).
      const drawnInputs = new Set(d.graph.nodes.map((n) => n.id));
      for (const input of d.graph.inputs.filter((i) => drawnInputs.has(i.id))) {
        const acc = view.acc.get(input.id);
        const parts = d.graph.edges.map((e, i) => (e.from === input.id && view.done.has(i) ? fmt(e.product) : undefined)).filter((x): x is string => x !== undefined);
        const text = acc === undefined ? `∂/∂${input.name}: nothing yet` : `∂/∂${input.name} = ${parts.join(' + ')}${parts.length > 1 ? ` = ${fmt(acc)}` : ''}${view.complete.has(input.id) ? ' ✓ complete' : ' (so far)'}`;
        const li = el('li', 'acc', text);
        li.dataset.input = input.name;
        li.dataset.value = acc === undefined ? '' : String(acc);
        accList.append(li);
      }
      status.append(accList);
    } else if (node) {
      const args = view.active.map((i) => `${name(d.graph.edges[i].from)} = ${fmt(byNode.get(d.graph.edges[i].from)?.value ?? NaN)}`);
      status.append(el('p', '', args.length ? `${name(view.node)} takes ${args.join(', ')} and gives ${fmt(node.value)}` : `${name(view.node)} = ${fmt(node.value)}`));
    }
  }
}
