/**
 * Run-time checks of what reaches the webview from outside: messages from the extension (ToWebview) and the
 * state VS Code restores (WebviewState). A message or state that does not have the shape the code relies on
 * is refused with a reason (the caller logs it and ignores it), so it can never leave a half-drawn panel.
 * Pure: no DOM.
 */
import type { GraphPayload, ToWebview, WebviewState } from '../src/protocol';

/** Bumped when WebviewState changes shape; a state saved by another version is dropped, not misread. */
export const STATE_VERSION = 2;

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

class Invalid extends Error {}

type Obj = Record<string, unknown>;

function fail(path: string, what: string): never {
  throw new Invalid(`${path}: expected ${what}`);
}
function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'an object');
  return v as Obj;
}
function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, 'an array');
  return v;
}
function str(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, 'a string');
  return v;
}
/** Any number, NaN and ±Infinity included (they are meaningful values here and survive postMessage). */
function num(v: unknown, path: string): number {
  if (typeof v !== 'number') fail(path, 'a number');
  return v;
}
function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'a boolean');
  return v;
}
function oneOf<T extends string>(v: unknown, path: string, options: readonly T[]): T {
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) fail(path, options.join(' | '));
  return v as T;
}
function opt<T>(o: Obj, key: string, path: string, check: (v: unknown, path: string) => T): void {
  if (o[key] !== undefined) check(o[key], `${path}.${key}`);
}
/** A number, a vector or a matrix of numbers. */
function tensorValue(v: unknown, path: string): void {
  if (typeof v === 'number') return;
  for (const [i, row] of arr(v, path).entries()) {
    if (typeof row === 'number') continue;
    for (const [j, x] of arr(row, `${path}[${i}]`).entries()) num(x, `${path}[${i}][${j}]`);
  }
}
function span(v: unknown, path: string): void {
  const s = obj(v, path);
  for (const k of ['start', 'end', 'line', 'col']) num(s[k], `${path}.${k}`);
}

const ID = /^[A-Za-z][\w]*$/;
function id(v: unknown, path: string): string {
  const s = str(v, path);
  if (!ID.test(s)) fail(path, 'a generated node id');
  return s;
}

/** A non-negative integer (a scope id). */
function int(v: unknown, path: string): number {
  const n = num(v, path);
  if (!Number.isInteger(n) || n < 0) fail(path, 'a non-negative integer');
  return n;
}
function ints(v: unknown, path: string): number[] {
  return arr(v, path).map((x, i) => int(x, `${path}[${i}]`));
}
function scopeNode(v: unknown, path: string): void {
  const o = obj(v, path);
  int(o.scope, `${path}.scope`);
  num(o.hidden, `${path}.hidden`);
  arr(o.inputs, `${path}.inputs`).forEach((x, i) => {
    const p = obj(x, `${path}.inputs[${i}]`);
    id(p.id, `${path}.inputs[${i}].id`);
    num(p.grad, `${path}.inputs[${i}].grad`);
    opt(p, 'name', `${path}.inputs[${i}]`, str);
    opt(p, 'value', `${path}.inputs[${i}]`, num);
  });
  arr(o.outputs, `${path}.outputs`).forEach((x, i) => {
    const p = obj(x, `${path}.outputs[${i}]`);
    id(p.id, `${path}.outputs[${i}].id`);
    num(p.value, `${path}.outputs[${i}].value`);
    num(p.grad, `${path}.outputs[${i}].grad`);
    opt(p, 'name', `${path}.outputs[${i}]`, str);
  });
}

function graphModel(v: unknown, path: string): void {
  const g = obj(v, path);
  for (const [i, n] of arr(g.nodes, `${path}.nodes`).entries()) {
    const p = `${path}.nodes[${i}]`;
    const node = obj(n, p);
    id(node.id, `${p}.id`);
    oneOf(node.kind, `${p}.kind`, ['input', 'const', 'op']);
    str(node.symbol, `${p}.symbol`);
    num(node.value, `${p}.value`);
    num(node.grad, `${p}.grad`);
    opt(node, 'name', p, str);
    opt(node, 'span', p, span);
    opt(node, 'scope', p, int);
    opt(node, 'scopeNode', p, scopeNode);
  }
  for (const [i, e] of arr(g.edges, `${path}.edges`).entries()) {
    const p = `${path}.edges[${i}]`;
    const edge = obj(e, p);
    id(edge.from, `${p}.from`);
    id(edge.to, `${p}.to`);
    for (const k of ['local', 'upstream', 'product']) num(edge[k], `${p}.${k}`);
  }
  opt(g, 'scopes', path, (v, sp) => arr(v, sp).forEach((s, i) => {
    const p = `${sp}[${i}]`;
    const o = obj(s, p);
    int(o.id, `${p}.id`);
    oneOf(o.kind, `${p}.kind`, ['call', 'loop', 'iteration']);
    str(o.title, `${p}.title`);
    span(o.span, `${p}.span`);
    opt(o, 'parent', p, int);
  }));
  opt(g, 'branches', path, (v, bp) => arr(v, bp).forEach((b, i) => {
    const p = `${bp}[${i}]`;
    const o = obj(b, p);
    span(o.span, `${p}.span`);
    str(o.condition, `${p}.condition`);
    bool(o.taken, `${p}.taken`);
    opt(o, 'node', p, id);
  }));
  id(g.output, `${path}.output`);
  for (const [i, input] of arr(g.inputs, `${path}.inputs`).entries()) {
    const p = `${path}.inputs[${i}]`;
    const o = obj(input, p);
    id(o.id, `${p}.id`);
    str(o.name, `${p}.name`);
    num(o.value, `${p}.value`);
    num(o.grad, `${p}.grad`);
  }
  arr(g.warnings, `${path}.warnings`).forEach((w, i) => str(w, `${path}.warnings[${i}]`));
}

function tensorGraph(v: unknown, path: string): void {
  const g = obj(v, path);
  for (const [i, n] of arr(g.nodes, `${path}.nodes`).entries()) {
    const p = `${path}.nodes[${i}]`;
    const node = obj(n, p);
    id(node.id, `${p}.id`);
    oneOf(node.kind, `${p}.kind`, ['input', 'const', 'op']);
    str(node.label, `${p}.label`);
    opt(node, 'name', p, str);
    arr(node.shape, `${p}.shape`).forEach((x, j) => num(x, `${p}.shape[${j}]`));
    tensorValue(node.value, `${p}.value`);
    tensorValue(node.grad, `${p}.grad`);
    opt(node, 'span', p, span);
  }
  for (const [i, e] of arr(g.edges, `${path}.edges`).entries()) {
    const edge = obj(e, `${path}.edges[${i}]`);
    id(edge.from, `${path}.edges[${i}].from`);
    id(edge.to, `${path}.edges[${i}].to`);
  }
  id(g.output, `${path}.output`);
}

function payload(v: unknown, path: string): GraphPayload {
  const p = obj(v, path);
  num(p.version, `${path}.version`);
  str(p.title, `${path}.title`);
  oneOf(p.lang, `${path}.lang`, ['math', 'ts', 'python']);
  const source = str(p.mermaid, `${path}.mermaid`);
  if (!/^flowchart (LR|RL|TB|BT|TD)\b/.test(source)) fail(`${path}.mermaid`, 'a flowchart');
  graphModel(p.graph, `${path}.graph`);
  num(p.value, `${path}.value`);
  for (const [i, input] of arr(p.inputs, `${path}.inputs`).entries()) {
    const o = obj(input, `${path}.inputs[${i}]`);
    str(o.name, `${path}.inputs[${i}].name`);
    num(o.value, `${path}.inputs[${i}].value`);
    num(o.grad, `${path}.inputs[${i}].grad`);
    str(o.source, `${path}.inputs[${i}].source`);
  }
  opt(p, 'check', path, (c, cp) => arr(c, cp).forEach((row, i) => {
    const r = obj(row, `${cp}[${i}]`);
    str(r.name, `${cp}[${i}].name`);
    for (const k of ['analytic', 'numeric', 'error']) num(r[k], `${cp}[${i}].${k}`);
    bool(r.ok, `${cp}[${i}].ok`);
  }));
  opt(p, 'checkSkipped', path, str);
  opt(p, 'symbolic', path, (s, sp) => arr(s, sp).forEach((row, i) => {
    const r = obj(row, `${sp}[${i}]`);
    str(r.variable, `${sp}[${i}].variable`);
    opt(r, 'derivative', `${sp}[${i}]`, str);
    opt(r, 'unavailable', `${sp}[${i}]`, str);
  }));
  arr(p.warnings, `${path}.warnings`).forEach((w, i) => str(w, `${path}.warnings[${i}]`));
  opt(p, 'summarized', path, (s, sp) => {
    const o = obj(s, sp);
    num(o.shownNodes, `${sp}.shownNodes`);
    num(o.totalNodes, `${sp}.totalNodes`);
    str(o.reason, `${sp}.reason`);
  });
  opt(p, 'maxNodes', path, num);
  const digits = num(p.digits, `${path}.digits`);
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) fail(`${path}.digits`, 'an integer 1–17');
  oneOf(p.direction, `${path}.direction`, ['LR', 'RL', 'TB', 'BT', 'auto']);
  opt(p, 'constants', path, (v, vp) => oneOf(v, vp, ['fold', 'nodes']));
  opt(p, 'constantGrads', path, bool);
  opt(p, 'edgeLabels', path, (v, vp) => oneOf(v, vp, ['formula', 'number']));
  opt(p, 'panelId', path, str);
  bool(p.pinned, `${path}.pinned`);
  opt(p, 'collapsedScopes', path, ints);
  opt(p, 'tensor', path, (t, tp) => {
    const o = obj(t, tp);
    str(o.mermaid, `${tp}.mermaid`);
    tensorGraph(o.graph, `${tp}.graph`);
  });
  return p as unknown as GraphPayload;
}

function run<T>(check: () => T): Checked<T> {
  try {
    return { ok: true, value: check() };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, reason: e.message };
    throw e;
  }
}

/** A message from the extension, or why it is refused. */
export function checkMessage(data: unknown): Checked<ToWebview> {
  return run(() => {
    const m = obj(data, 'message');
    const kind = oneOf(m.kind, 'message.kind', ['loading', 'error', 'graph', 'pinned']);
    switch (kind) {
      case 'loading':
        opt(m, 'title', 'message', str);
        break;
      case 'error':
        str(m.message, 'message.message');
        opt(m, 'where', 'message', str);
        break;
      case 'graph':
        payload(m.payload, 'message.payload');
        break;
      case 'pinned':
        bool(m.pinned, 'message.pinned');
        break;
    }
    return m as unknown as ToWebview;
  });
}

/**
 * Restored state, or why it is dropped. A state without a version is the page's own first state from the
 * extension (initialState of a new panel: a payload only) and is accepted when its parts are valid.
 */
export function checkState(data: unknown): Checked<WebviewState> {
  return run(() => {
    const s = obj(data, 'state');
    if (s.stateVersion !== undefined && s.stateVersion !== STATE_VERSION) fail('state.stateVersion', `version ${STATE_VERSION}`);
    opt(s, 'payload', 'state', payload);
    opt(s, 'view', 'state', (v, p) => {
      const o = obj(v, p);
      const scale = num(o.scale, `${p}.scale`);
      if (!(scale > 0) || !Number.isFinite(scale)) fail(`${p}.scale`, 'a positive scale');
      if (!Number.isFinite(num(o.x, `${p}.x`)) || !Number.isFinite(num(o.y, `${p}.y`))) fail(p, 'a finite offset');
    });
    opt(s, 'graphView', 'state', (v, p) => oneOf(v, p, ['tensor', 'scalar']));
    opt(s, 'structure', 'state', str);
    opt(s, 'panelId', 'state', str);
    opt(s, 'groups', 'state', (v, p) => {
      const o = obj(v, p);
      str(o.key, `${p}.key`);
      ints(o.collapsed, `${p}.collapsed`);
      ints(o.opened, `${p}.opened`);
    });
    return s as unknown as WebviewState;
  });
}
