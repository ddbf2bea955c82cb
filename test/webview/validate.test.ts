/**
 * The webview's run-time checks of messages and saved state (media/validate.ts), on payloads built by the
 * real engine and on broken copies of them. Pure: no browser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMessage, checkState, STATE_VERSION } from '../../media/validate';
import { payloadFor } from './harness';

const good = () => payloadFor('(x^2+1)^3', { x: 2 });

test('real messages pass: graph, loading, error, pinned', () => {
  for (const m of [{ kind: 'graph', payload: good() }, { kind: 'loading' }, { kind: 'loading', title: 'x' }, { kind: 'error', message: 'bad', where: '1:2' }, { kind: 'pinned', pinned: true }]) {
    const r = checkMessage(m);
    assert.ok(r.ok, JSON.stringify(r));
  }
  // NaN and Infinity are values (postMessage keeps them).
  const p = good();
  p.graph.nodes[0].grad = NaN;
  p.value = Infinity;
  assert.ok(checkMessage({ kind: 'graph', payload: p }).ok);
});

test('broken messages are refused with the path of what is wrong', () => {
  const cases: [unknown, RegExp][] = [
    [null, /message: expected an object/],
    ['graph', /message: expected an object/],
    [{ kind: 'explode' }, /message\.kind: expected loading \| error \| graph \| pinned/],
    [{ kind: 'error' }, /message\.message: expected a string/],
    [{ kind: 'pinned', pinned: 'yes' }, /message\.pinned: expected a boolean/],
    [{ kind: 'graph' }, /message\.payload: expected an object/],
  ];
  for (const [m, reason] of cases) {
    const r = checkMessage(m);
    assert.equal(r.ok, false, JSON.stringify(m));
    if (!r.ok) assert.match(r.reason, reason);
  }
  // Deliberately malformed payloads: loose JSON on purpose.
  /* eslint-disable @typescript-eslint/no-explicit-any */
  const mutate = (f: (p: Record<string, any>) => void) => {
    const p = good() as unknown as Record<string, any>;
    f(p);
    return checkMessage({ kind: 'graph', payload: p });
  };
  const refused: [(p: Record<string, any>) => void, RegExp][] = [
    [(p) => { p.version = '3'; }, /payload\.version: expected a number/],
    [(p) => { p.graph.nodes[1].id = 'n1"];click'; }, /payload\.graph\.nodes\[1\]\.id: expected a generated node id/],
    [(p) => { p.graph.edges[0].local = '4'; }, /payload\.graph\.edges\[0\]\.local: expected a number/],
    [(p) => { delete p.graph.edges; }, /payload\.graph\.edges: expected an array/],
    [(p) => { p.mermaid = 'graph TD; a-->b'; }, /payload\.mermaid: expected a flowchart/],
    [(p) => { p.digits = 0; }, /payload\.digits/],
    [(p) => { p.direction = 'up'; }, /payload\.direction/],
    [(p) => { p.warnings = [1]; }, /payload\.warnings\[0\]: expected a string/],
    [(p) => { p.tensor = { mermaid: 'flowchart LR', graph: { nodes: [{ id: 't0', kind: 'op', label: 'x', shape: [2], value: [1, 'a'], grad: 0 }], edges: [], output: 't0' } }; }, /payload\.tensor\.graph\.nodes\[0\]\.value\[1\]/],
  ];
  /* eslint-enable @typescript-eslint/no-explicit-any */
  for (const [f, reason] of refused) {
    const r = mutate(f);
    assert.equal(r.ok, false, String(f));
    if (!r.ok) assert.match(r.reason, reason);
  }
});

test('saved state: current version and the extension\'s first state pass; other versions and bad views are dropped', () => {
  assert.ok(checkState({ stateVersion: STATE_VERSION, payload: good(), view: { scale: 0.5, x: 1, y: 2 }, structure: 'k', graphView: 'scalar' }).ok);
  assert.ok(checkState({ payload: good() }).ok, 'initialState from the extension has no version');
  const old = checkState({ stateVersion: 1, payload: good() });
  assert.equal(old.ok, false);
  if (!old.ok) assert.match(old.reason, /stateVersion/);
  assert.equal(checkState({ stateVersion: STATE_VERSION, view: { scale: 0, x: 0, y: 0 } }).ok, false);
  assert.equal(checkState({ stateVersion: STATE_VERSION, view: { scale: 1, x: NaN, y: 0 } }).ok, false);
  assert.equal(checkState({ stateVersion: STATE_VERSION, graphView: 'both' }).ok, false);
  assert.equal(checkState([]).ok, false);
});
