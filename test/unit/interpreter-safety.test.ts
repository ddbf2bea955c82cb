/**
 * Interpreted TypeScript reaches nothing of the host: names resolve only to the program's own bindings, given
 * values and Math; members and indexes only to the interpreter's own lists, records and instances. Prototype
 * chains (`constructor`, `__proto__`, `prototype`) are refused on every value, host names (`globalThis`,
 * `process`, `require`, `eval`, `Function`) are refused or are the program's own inert bindings, and nothing a
 * hostile text asks for happens: a marker file is never written.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../../src/host/engine';

describe('interpreter safety: no host object is reachable', () => {
  it('prototype chains are refused on every kind of value', () => {
    const texts: [string, RegExp][] = [
      ['const o = { w: 1 };\nconst y = o.constructor;\ny', /the member 'constructor'/],
      ['const o = { w: 1 };\nconst y = o.__proto__;\ny', /the member '__proto__'/],
      ['const xs = [1, 2];\nconst c = xs.constructor;\nc', /the member 'constructor'/],
      ['const f = (u: number) => u;\nconst c = f.constructor;\nc', /the member 'constructor'/],
      ['function g(u: number) { return u }\nconst p = g.prototype;\np', /the member 'prototype'/],
      ['class A { w = 1; }\nconst a = new A();\nconst c = a.constructor;\nc', /the member 'constructor'/],
      ['class A { w = 1; m() { return this.__proto__; } }\nconst a = new A();\na.m()', /the member '__proto__'/],
      ['const o = { __proto__: 1 };\no.w', /the member '__proto__'/],
      ['class A { w = 1; }\nconst a = new A();\na.constructor = 2;\n1', /the member 'constructor'/],
      ['const f = (u: number) => u;\nconst g = f.constructor.constructor;\ng', /the member 'constructor'/],
      ['const x = 1;\nconst s = x.toString();\ns', /'\.toString' of a number/],
    ];
    for (const [text, message] of texts) {
      const r = analyze(text, { lang: 'ts' });
      assert.ok(!r.ok, `${JSON.stringify(text)} must be refused`);
      assert.equal(r.error.code, 'unsupported', r.error.format());
      assert.match(r.error.message, message, r.error.format());
      assert.ok(r.error.span && r.error.span.line >= 1, 'with a position');
    }
  });

  it('host names are refused, or are the program\'s own inert bindings', () => {
    const refused: [string, RegExp][] = [
      ['const xs = [1];\nconst ys = xs.map(eval);\nys[0]', /'eval' is not available/],
      ['function f(u: number) { return globalThis }\nf(1)', /'globalThis' is not available/],
      ['let p = 0;\nfor (let i = 0; i < 1; i++) p = process;\np', /'process' is not available/],
      ['function f(u: number) { return require }\nf(1)', /'require' is not available/],
      ['const F = [1].map((u) => Function);\n1', /'Function' is not available/],
      ['const o = { w: 1 };\nObject.keys(o)', /call of 'Object\.keys'/],
      ['const xs = [1];\nxs.map((u) => process.exit(3))', /call of 'process\.exit'/],
      ['const s = [1].map((u) => u);\nconst t = new Function("return 1");\n1', /'new' of|only classes declared/],
    ];
    for (const [text, message] of refused) {
      const r = analyze(text, { lang: 'ts' });
      assert.ok(!r.ok, `${JSON.stringify(text)} must be refused`);
      assert.match(r.error.message, message, r.error.format());
    }
    // The program's own `process` or `require` is just a name.
    const own = analyze('function require(u: number) { return u * 2 }\nconst process = 3;\nrequire(process)', { lang: 'ts' });
    assert.ok(own.ok && own.value.value === 6, own.ok ? String(own.value.value) : own.error.format());
    // A given value named like a prototype member is a plain value.
    const given = analyze('let s = 0;\nfor (let i = 0; i < 2; i++) s = s + constructor;\ns', { lang: 'ts', values: { constructor: 1.5 } });
    assert.ok(given.ok && given.value.value === 3, given.ok ? String(given.value.value) : given.error.format());
  });

  it('hostile texts have no effect: the marker file is never written and the process lives on', { timeout: 60_000 }, () => {
    const marker = join(tmpdir(), `bp-interp-pwned-${process.pid}-${Math.random().toString(36).slice(2)}`);
    rmSync(marker, { force: true });
    const touch = `"touch ${marker}"`;
    const texts = [
      `function f(u: number) { require("child_process").execSync(${touch}); return u }\nf(1)`,
      `const cp = [1].map((u) => u);\nfor (const c of cp) { c.constructor.constructor("return process")().mainModule.require("child_process").execSync(${touch}) }`,
      `class A { m() { return this.constructor.constructor("return process")(); } }\nconst a = new A();\na.m().exit(3)`,
      `const f = (u: number) => u;\nf.constructor("require('child_process').execSync('touch ${marker}')")()`,
      `let x = 0;\nwhile (x < 1) { x = x + 1; globalThis.process.exit(3) }\nx`,
      `const o = { w: 1 };\nconst k = o["constructor"];\nk`,
      `import("child_process").then((m) => m.execSync(${touch}))`,
    ];
    const exitCodeBefore = process.exitCode;
    for (const text of texts) {
      const r = analyze(text, { lang: 'ts', values: { x: 1 } });
      assert.ok(!r.ok, `${JSON.stringify(text)} must be refused`);
      assert.ok(r.error.code === 'unsupported', r.error.format());
    }
    assert.equal(existsSync(marker), false, 'the marker file was not created');
    assert.equal(process.exitCode, exitCodeBefore, 'nothing set an exit code');
  });
});
