/** The side panel: output, inputs with their gradients and checks, symbolic forms, warnings, legend; the tensor view's matrices. */
import { formatNumber } from '../src/engine/base/format';
import type { GraphPayload } from '../src/protocol';
import { branchNote } from '../src/engine/mermaid/mermaid';
import type { TensorValue } from '../src/engine/base/tensor-value';
import type { TensorGraph, TensorNode } from '../src/engine/graph/tensor-view';
import { el } from './dom';
import type { Drawn } from './drawing';

/** The tensor view's selection: which node's matrices are shown, and how to select another. */
export interface TensorSideUi { selected: string | undefined; select(id: string): void }

/** The side panel's "Output" section: the traced text and its value (both views). */
function outputSection(p: GraphPayload, fmt: (v: number) => string): HTMLElement {
  const out = el('section', 'output');
  out.append(el('h2', '', 'Output'), el('div', 'expr', p.title));
  const v = el('div', 'value');
  // A symbolic graph's value is the output's formula (p.value is a placeholder then).
  const symbolic = p.graph.symbolic ? p.graph.nodes.find((n) => n.id === p.graph.output)?.symbolic?.value ?? '…' : undefined;
  v.append(el('span', 'label', 'value '), el('span', 'num', symbolic ?? fmt(p.value)));
  out.append(v);
  if (p.graph.symbolic) {
    const abstract = p.graph.nodes.some((n) => n.op === 'fn');
    out.append(el('p', 'muted symbolic-note', abstract
      ? 'Symbolic graph: the output goes through an undefined function, so values and gradients are formulas.'
      : 'Symbolic graph: no values given, so values and gradients are formulas. Give the symbols values for numbers.'));
  }
  return out;
}

/** Fills the side panel for what is drawn: values, gradients, checks, warnings and the legend. */
export function renderSide(side: HTMLElement, d: Drawn, tensorUi: TensorSideUi): void {
  if (d.tensor) return renderTensorSide(side, d, d.tensor, tensorUi);
  const p = d.payload;
  const fmt = (v: number) => formatNumber(v, p.digits);
  const parts: HTMLElement[] = [];
  if (d.summary) {
    const note = el('div', 'notice summary-notice');
    note.setAttribute('role', 'note');
    note.append(
      el('strong', '', 'Summarized graph. '),
      document.createTextNode(`Showing ${d.summary.shownNodes} of ${d.summary.totalNodes} nodes: ${d.summary.reason}. Nodes marked “⋯ +N nodes” stand for whole subexpressions (value and gradient are theirs); click one to open it.`),
    );
    parts.push(note);
  }
  if (p.graph.scopes?.length) {
    const note = el('div', 'notice groups-notice');
    note.setAttribute('role', 'note');
    const closed = d.collapsedScopes.length;
    note.append(
      el('strong', '', 'Groups. '),
      document.createTextNode(`Each function call and loop is a box titled with its call and line${closed ? `; ${closed} ${closed === 1 ? 'is' : 'are'} collapsed to one node showing its inputs, outputs and gradients` : ''}. Click a box's title to collapse it; click a collapsed group to open it.`),
    );
    parts.push(note);
  }
  const branches = branchNote(p.graph);
  if (branches) {
    const note = el('div', 'notice branch-notice');
    note.setAttribute('role', 'note');
    note.append(el('strong', '', 'For this input. '), document.createTextNode(branches));
    parts.push(note);
  }
  parts.push(outputSection(p, fmt));

  const inputs = el('section', 'inputs');
  inputs.append(el('h2', '', 'Inputs'));
  if (!p.inputs.length) inputs.append(el('p', 'muted', 'No free variables: the expression is a constant.'));
  else {
    const table = el('table');
    const head = el('tr');
    for (const h of ['', 'value', 'gradient', 'numeric', '']) head.append(el('th', '', h));
    table.append(head);
    for (const input of p.inputs) {
      const row = el('tr');
      const check = p.check?.find((c) => c.name === input.name);
      const formulas = p.graph.symbolic ? p.graph.nodes.find((n) => n.id === p.graph.inputs.find((i) => i.name === input.name)?.id)?.symbolic : undefined;
      const value = p.graph.symbolic ? formulas?.value ?? input.name : fmt(input.value);
      const grad = p.graph.symbolic ? formulas?.grad ?? '…' : fmt(input.grad);
      row.append(el('th', 'name', input.name), el('td', 'num', value), el('td', 'num grad', grad));
      row.append(el('td', 'num numeric', check ? fmt(check.numeric) : '—'));
      const ok = el('td', check ? (check.ok ? 'ok' : 'bad') : 'muted', check ? (check.ok ? '✓' : '✗') : '');
      if (check) ok.title = check.ok ? `matches finite differences (relative error ${check.error.toExponential(1)})` : `differs from finite differences (relative error ${check.error.toExponential(1)})`;
      row.append(ok);
      const src = el('tr', 'source');
      const cell = el('td', 'muted', `from ${input.source}`);
      cell.colSpan = 5;
      src.append(cell);
      table.append(row, src);
    }
    inputs.append(table);
    if (p.checkSkipped) inputs.append(el('p', 'muted', p.checkSkipped));
  }
  parts.push(inputs);

  if (p.symbolic?.length) {
    const sym = el('section', 'symbolic');
    sym.append(el('h2', '', 'Symbolic derivatives'));
    for (const s of p.symbolic) {
      const row = el('div', 'sym');
      if (s.derivative) row.append(el('span', 'label', `∂/∂${s.variable} = `), el('code', '', s.derivative));
      else row.append(el('span', 'label', `∂/∂${s.variable}: `), el('span', 'muted', s.unavailable ?? 'not available'));
      sym.append(row);
    }
    parts.push(sym);
  }

  const warnings = [...p.warnings];
  if (warnings.length) {
    const w = el('section', 'warnings');
    w.append(el('h2', '', 'Warnings'));
    const ul = el('ul');
    for (const text of warnings) ul.append(el('li', '', text));
    w.append(ul);
    parts.push(w);
  }

  parts.push(legend());
  side.replaceChildren(...parts);
}

function legend(): HTMLElement {
  const box = el('section', 'legend');
  box.append(el('h2', '', 'Legend'));
  const list = el('ul');
  const item = (cls: string, text: string) => {
    const li = el('li');
    li.append(el('span', `swatch ${cls}`), document.createTextNode(text));
    list.append(li);
  };
  item('sw-input', 'input');
  item('sw-op', 'operation');
  item('sw-const', 'constant');
  item('sw-output', 'output');
  item('sw-thin', 'thin edge: small |contribution| (log scale)');
  item('sw-thick', 'thick edge: large |contribution|');
  item('sw-vanish', 'vanishing gradient: |grad| < 1e-6 × output');
  item('sw-explode', 'exploding gradient: |grad| > 1e6 × output');
  box.append(list, el('p', 'muted', 'Edge label ∂: local derivative of the consumer with respect to that input. Two edges between the same nodes (x·x) add up.'));
  return box;
}

export const shapeLabel = (shape: readonly number[]) => (shape.length === 0 ? 'scalar' : shape.length === 1 ? `${shape[0]}-vector` : shape.join('×'));
export const tensorTitle = (t: TensorNode) => (t.kind === 'op' && t.name !== undefined ? `${t.name} = ${t.label}` : t.name ?? t.label);

/** A value or gradient as a small table: rows × columns, a vector as one column (as `W1 * x` reads it). */
function matrixTable(v: TensorValue, digits: number, what: string): HTMLTableElement {
  const table = el('table', 'matrix');
  table.dataset.what = what;
  const rows: number[][] = typeof v === 'number' ? [[v]] : Array.isArray(v[0]) ? (v as number[][]) : (v as number[]).map((x) => [x]);
  const cols = rows[0]?.length ?? 0;
  if (rows.length > 1 || cols > 1) {
    const head = el('tr');
    head.append(el('th', ''));
    for (let c = 0; c < cols; c++) head.append(el('th', 'idx', cols === 1 && !Array.isArray((v as unknown[])[0]) ? '' : String(c)));
    table.append(head);
  }
  rows.forEach((row, r) => {
    const tr = el('tr');
    if (rows.length > 1 || cols > 1) tr.append(el('th', 'idx', String(r)));
    for (const x of row) tr.append(el('td', 'num', formatNumber(x, digits)));
    table.append(tr);
  });
  return table;
}

function renderTensorSide(side: HTMLElement, d: Drawn, tensor: TensorGraph, ui: TensorSideUi): void {
  const p = d.payload;
  const fmt = (v: number) => formatNumber(v, p.digits);
  const parts: HTMLElement[] = [];
  const note = el('div', 'notice view-notice');
  note.setAttribute('role', 'note');
  note.append(
    el('strong', '', 'Tensor view. '),
    document.createTextNode(`One node per matrix operation (${tensor.nodes.length} nodes for ${p.graph.nodes.length} scalar nodes). Click a node for its value and gradient matrices. Stepping through the passes and edge thickness by gradient magnitude are in the scalar view.`),
  );
  parts.push(note);

  parts.push(outputSection(p, fmt));

  const details = el('section', 'tensor-details');
  details.id = 'tensor-details';
  details.setAttribute('aria-live', 'polite');
  const sel = tensor.nodes.find((n) => n.id === ui.selected);
  details.append(el('h2', '', 'Selected node'));
  if (!sel) {
    details.append(el('p', 'muted', 'Click a node in the graph (or a name below) to see its value and gradient.'));
  } else {
    details.dataset.node = sel.id;
    details.append(el('p', 'tensor-title', `${tensorTitle(sel)}  ·  ${shapeLabel(sel.shape)}`));
    details.append(el('h3', '', 'value'), matrixTable(sel.value, p.digits, 'value'));
    const outName = tensor.nodes.find((n) => n.id === tensor.output)?.name ?? 'out';
    details.append(el('h3', '', `gradient ∂${outName}/∂${sel.name ?? `(${sel.label})`}`), matrixTable(sel.grad, p.digits, 'grad'));
  }
  parts.push(details);

  const list = el('section', 'tensor-list');
  list.append(el('h2', '', 'Nodes'));
  const ul = el('ul');
  const ordered = [...tensor.nodes.filter((n) => n.kind === 'input'), ...tensor.nodes.filter((n) => n.kind === 'op')];
  for (const n of ordered) {
    const li = el('li');
    const b = el('button', 'details', tensorTitle(n));
    b.type = 'button';
    b.dataset.node = n.id;
    b.setAttribute('aria-pressed', String(n.id === ui.selected));
    b.title = `Show the value and gradient of ${tensorTitle(n)}`;
    b.addEventListener('click', () => ui.select(n.id));
    li.append(b, el('span', 'muted', ` ${shapeLabel(n.shape)}`));
    ul.append(li);
  }
  list.append(ul);
  parts.push(list);

  if (p.check?.length) {
    const bad = p.check.filter((c) => !c.ok);
    const check = el('section', 'check-summary');
    check.append(el('h2', '', 'Gradient check'));
    check.append(el('p', bad.length ? 'bad' : 'ok', bad.length
      ? `✗ ${bad.length} of ${p.check.length} entries differ from central finite differences: ${bad.map((c) => c.name).join(', ')}`
      : `✓ all ${p.check.length} entries match central finite differences`));
    parts.push(check);
  } else if (p.checkSkipped) {
    parts.push(el('p', 'muted', p.checkSkipped));
  }

  if (p.warnings.length) {
    const w = el('section', 'warnings');
    w.append(el('h2', '', 'Warnings'));
    const wl = el('ul');
    for (const text of p.warnings) wl.append(el('li', '', text));
    w.append(wl);
    parts.push(w);
  }

  const legendBox = el('section', 'legend');
  legendBox.append(el('h2', '', 'Legend'));
  const items = el('ul');
  for (const [cls, text] of [['sw-input', 'input (a named tensor)'], ['sw-op', 'operation'], ['sw-const', 'constant'], ['sw-output', 'output'],
    ['sw-vanish', 'vanishing gradient: every |grad| < 1e-6 × output'], ['sw-explode', 'exploding gradient: some |grad| > 1e6 × output']]) {
    const li = el('li');
    li.append(el('span', `swatch ${cls}`), document.createTextNode(text));
    items.append(li);
  }
  legendBox.append(items);
  parts.push(legendBox);
  side.replaceChildren(...parts);
}

