/**
 * Names from user text never reach Object.prototype: `constructor`, `toString`, `__proto__` and friends are
 * ordinary (unknown) names in every front end, in given values and in the CLI's --at.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../../src/host/engine';
import { parseTsLite } from '../../src/engine/frontends/ts-lite';
import type { Lang } from '../../src/engine/ast/ir';
import { parseValueList, valueListTemplate } from '../../src/vscode/text/compose';

const PROTO_NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', '__defineGetter__'];

function refused(text: string, lang: Lang, values: Record<string, number> = { x: 1 }) {
  const r = analyze(text, { lang, values, symbolic: false, gradCheck: false });
  assert.equal(r.ok, false, `${lang} '${text}' should be refused, got value ${r.ok ? r.value.value : ''}`);
  return r.ok ? '' : r.error.format();
}

describe('prototype names are plain names', () => {
  for (const name of PROTO_NAMES) {
    it(`'${name}' as a variable needs a value in math, TypeScript and Python`, () => {
      assert.match(refused(`${name} + x`, 'math'), new RegExp(`no value for variable '${name}'`));
      assert.match(refused(`NaN + ${name} * x`, 'ts'), new RegExp(`no value for variable '${name}'`));
      assert.match(refused(`y = ${name} + x`, 'python'), new RegExp(`no value for variable '${name}'`));
    });

    it(`'${name}' given a value is an input like any other`, () => {
      for (const [lang, text] of [['math', `${name} * x`], ['ts', `${name} * x`], ['python', `y = ${name} * x`]] as const) {
        const r = analyze(text, { lang, values: Object.assign(Object.create(null), { x: 2, [name]: 3 }), symbolic: false });
        if (!r.ok) assert.fail(`${lang} ${text}: ${r.error.format()}`);
        assert.equal(r.value.value, 6, `${lang} ${text}`);
        assert.equal(r.value.gradients[name], 2);
        assert.equal(r.value.gradients.x, 3);
      }
    });

    it(`'${name}' is not a function or a module member`, () => {
      assert.match(refused(`${name}(x)`, 'math'), /1:1: .*unknown function/);
      assert.match(refused(`Math.${name}(x)`, 'ts'), /1:1: .*unknown function 'Math\./);
      assert.match(refused(`Math.${name} + x`, 'ts'), /1:1: .*unknown Math member/);
      assert.match(refused(`y = math.${name}(x)`, 'python'), /1:5: .*unknown function 'math\./);
      assert.match(refused(`y = torch.${name} + x`, 'python'), /1:5: .*attribute access/);
      assert.match(refused(`y = ${name}(x)`, 'python'), /1:5: .*a call to/);
      assert.equal(parseTsLite(`Math.${name}(x)`), undefined, 'the hover parser leaves it to the real front end');
    });
  }
});

describe('values keyed by user names', () => {
  it('the input box reads and prefills prototype names as plain names', () => {
    assert.deepEqual(parseValueList('__proto__=2, constructor=3'), { values: Object.fromEntries([['__proto__', 2], ['constructor', 3]]) });
    assert.equal(valueListTemplate(['constructor', 'toString', 'x'], { x: 5 }), 'constructor=1, toString=1, x=5');
  });

  it('the CLI takes --at __proto__=… and reports its gradient', () => {
    const r = spawnSync(process.execPath, [join(__dirname, '..', '..', 'dist', 'cli.js'), '__proto__ * x', '--at', 'x=2,__proto__=3', '--format', 'json'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.value, 6);
    assert.ok(Object.hasOwn(j.gradients, '__proto__'));
    assert.equal(j.gradients.__proto__, 2);
  });
});
