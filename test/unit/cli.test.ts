/** The CLI contract, run as a user would: the built dist/cli.js in a child process. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, before } from 'node:test';
import fc from 'fast-check';
import { analyze } from '../../src/host/engine';
import { renderJson } from '../../src/cli/cli';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input: input ?? '', encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
});

describe('CLI: the main job', () => {
  it('prints the seed example with its value, gradient and check', () => {
    const r = cli(['(x^2+1)^3', '--at', 'x=2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /language: +math \(detected/);
    assert.match(r.stdout, /value: +125\n/);
    assert.match(r.stdout, /^ {2}x +2 +300 +300(\.0*\d*)? +ok/m);
    assert.match(r.stdout, /∂\/∂x = 6x·\(x² \+ 1\)²\n/);
  });

  it('reads stdin when EXPR is absent or "-", and accepts --at x=1,y=2 and repeated --at', () => {
    const a = cli(['--at', 'x=1,y=2', '--format', 'json'], 'x * y');
    assert.equal(a.code, 0, a.stderr);
    assert.deepEqual(JSON.parse(a.stdout).gradients, { x: 2, y: 1 });
    const b = cli(['-', '--at', 'x=1', '--at', 'y=2', '--format=json'], 'x * y');
    assert.deepEqual(JSON.parse(b.stdout).gradients, { x: 2, y: 1 });
  });

  it('json has lang, value, gradients, nodes and edges per the graph model', () => {
    const r = cli(['x*x + 1', '--at', 'x=3', '--format', 'json']);
    const j = JSON.parse(r.stdout);
    assert.equal(j.lang, 'math');
    assert.equal(j.value, 10);
    assert.deepEqual(j.gradients, { x: 6 });
    for (const n of j.nodes) {
      assert.ok(['input', 'const', 'op'].includes(n.kind));
      for (const k of ['id', 'op', 'value', 'grad', 'span']) assert.ok(k in n, `node has ${k}`);
    }
    const fromX = j.edges.filter((e: { from: string }) => e.from === 'n0');
    assert.equal(fromX.length, 2, 'x*x gives x two edges');
    for (const e of j.edges) assert.deepEqual(Object.keys(e).sort(), ['from', 'local', 'product', 'to', 'upstream']);
    assert.deepEqual(j.warnings, []);
  });

  it('mermaid prints the diagram source; --out writes a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-cli-'));
    try {
      const file = join(dir, 'g.mmd');
      const r = cli(['sin(x)', '--at', 'x=0', '--format', 'mermaid', '--direction', 'TB', '--out', file]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(readFileSync(file, 'utf8'), /^flowchart TB\n {2}n0\(\["x<br\/>value 0<br\/>grad 1"\]\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('html is one self-contained offline page: inline nonce-d script, CSP without network, the graph embedded', () => {
    const r = cli(['(x^2+1)^3', '--at', 'x=2', '--format', 'html']);
    assert.equal(r.code, 0, r.stderr);
    const html = r.stdout;
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1]?.replace(/&#39;/g, "'");
    assert.ok(csp, 'has a CSP');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-[0-9a-f]{16,}'/);
    assert.doesNotMatch(csp, /https?:/);
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|<img[^>]+src="?https?:/i, 'loads nothing from outside');
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    for (const tag of scripts) assert.match(tag, /nonce=|type="application\/json"/, tag);
    assert.ok(html.includes('"value":125'), 'payload embedded');
    assert.ok(html.length > 100_000, 'Mermaid and the webview script are inlined');
  });

  it('writes NaN and infinities in JSON as strings, with warnings', () => {
    const r = cli(['log(x)', '--at', 'x=-1', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.value, 'NaN');
    assert.ok(j.warnings.some((w: string) => /log of a negative/.test(w)));
  });
});

describe('CLI: bad input exits 2 with one line naming the problem and where', () => {
  const cases: [string[], RegExp][] = [
    [['(x^2+1)^3'], /no value for variable 'x'/],
    [['x + (', '--at', 'x=1'], /^backprop-graph: 1:6: syntax error/],
    [['x + foo(1)', '--at', 'x=1'], /1:5: unknown function 'foo'/],
    [['x', '--at', 'x=abc'], /--at x=abc: 'abc' is not a finite number/],
    [['x', '--at', 'x'], /expected NAME=VALUE/],
    [['x', '--format', 'pdf'], /--format pdf/],
    [['x', '--lang', 'rust'], /--lang rust/],
    [['x', '--bogus'], /unknown option --bogus/],
    [['x', '--constants', 'hide'], /--constants hide: expected fold or nodes/],
    [['x', '--edge-labels', 'both'], /--edge-labels both: expected formula or number/],
    [['x', '--constant-grads=yes'], /--constant-grads takes no value/],
    [['   '], /empty/],
  ];
  for (const [args, pattern] of cases) {
    it(args.join(' '), () => {
      const r = cli(args);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    });
  }
});

describe('CLI: TypeScript refusals (each construct named with line:col, exit 2)', () => {
  const cases: [string, RegExp][] = [
    ['foo(x)', /1:1: .*call/i],
    ['console.log(x)', /1:1: .*(call|console)/i],
    ['Math.random()', /Math\.random/],
    ['const a = obj.prop * 2; a', /1:11: .*property access/i],
    ['for (let i = 0; i < 3; i++) { x = x * 2 }', /1:1: .*loop/i],
    ['while (true) {}', /1:1: .*loop/i],
    ['const s = "hi"; s', /1:11: .*string/i],
    ['const d = new Date(); d', /1:11: .*new/i],
    ['y = x * 2', /1:1: .*undeclared/i],
    ['const a = x;\nif (a > 1) { a }', /2:1: .*if/i],
  ];
  for (const [text, pattern] of cases) {
    it(text, () => {
      const r = cli([text, '--lang', 'ts', '--at', 'x=1']);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    });
  }
});

describe('CLI: the selected code is never executed', () => {
  it('refuses child_process and process.exit, and nothing happens', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-never-run-'));
    const marker = join(dir, 'pwned');
    try {
      const attacks = [
        `require("child_process").execSync("touch ${marker}")`,
        `const r = require("child_process"); r.execSync("touch ${marker}"); x`,
        `process.exit(3)`,
        `import("child_process").then(m => m.execSync("touch ${marker}"))`,
        `eval("require('child_process').execSync('touch ${marker}')")`,
        `new Function("return process")().exit(3)`,
        `(x ** 2).constructor.constructor("return process")().exit(3)`,
      ];
      for (const text of attacks) {
        for (const lang of ['ts', 'auto']) {
          const r = cli([text, '--lang', lang, '--at', 'x=1']);
          assert.equal(r.code, 2, `${text}: exit ${r.code}\n${r.stderr}`);
          assert.match(r.stderr, /^backprop-graph: \d+:\d+: /);
        }
      }
      // Also as math: mathjs syntax must not reach anything either.
      const m = cli([`import("fs")`, '--lang', 'math']);
      assert.equal(m.code, 2);
      assert.equal(existsSync(marker), false, 'the marker file was not created');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CLI: Python and matrices', () => {
  it('reads a seed notebook cell as Python, taking x from its torch.tensor line', () => {
    const cell = 'x = torch.tensor([2.0], requires_grad=True)\ny = torch.sin(x**2 + 1)\ny.backward()\nprint(x.grad)\n';
    const r = cli(['--format', 'json'], cell);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.lang, 'python');
    assert.equal(j.value, Math.sin(5));
    assert.ok(Math.abs(j.gradients.x - 4 * Math.cos(5)) < 1e-12);
  });

  it('takes vectors and matrices with --at NAME=[[…]] and reports each tensor gradient in its shape', () => {
    const r = cli(['sum(relu(W * v))', '--at', 'W=[[1,-2],[3,4]],v=[1,1]', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.value, 7);
    assert.deepEqual(j.tensorGradients, { W: [[0, 0], [1, 1]], v: [3, 4] });
    assert.equal(j.gradients['W[1,0]'], 1);
    const text = cli(['sum(relu(W * v))', '--at', 'W=[[1,-2],[3,4]]', '--at', 'v=[1,1]']);
    assert.match(text.stdout, /∂\/∂W = \[\[0, 0\], \[1, 1\]\]/);
  });

  it('refuses malformed matrices and shape mismatches with exit 2', () => {
    const bad = cli(['sum(W * v)', '--at', 'W=[[1,2],[3]],v=[1,1]']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--at W=\[\[1,2\],\[3\]\]/);
    const shape = cli(['sum(W * v)', '--at', 'W=[[1,2],[3,4]],v=[1,1,1]']);
    assert.equal(shape.code, 2);
    assert.match(shape.stderr, /^backprop-graph: 1:\d+: .*cannot multiply 2×2 by 3/);
  });
});

/** A JSON number, or one of the strings NaN/Infinity stand for. */
function num(v: number | string): number {
  return typeof v === 'number' ? v : Number(v);
}

describe('CLI: constants', () => {
  it('json keeps constants in place with grad null, their edges local/product null, unless --constant-grads', () => {
    const j = JSON.parse(cli(['0.5 * (y - target)^2', '--at', 'y=-0.6669236856097243,target=0.5', '--format', 'json']).stdout);
    const consts = j.nodes.filter((n: { kind: string }) => n.kind === 'const');
    assert.deepEqual(consts.map((n: { value: number }) => n.value), [0.5, 2]);
    for (const n of consts) assert.equal(n.grad, null);
    for (const e of j.edges.filter((e: { from: string }) => consts.some((n: { id: string }) => n.id === e.from))) {
      assert.equal(e.local, null);
      assert.equal(e.product, null);
      assert.equal(typeof e.upstream, 'number');
    }
    assert.doesNotMatch(JSON.stringify(j), /NaN|Infinity/, 'day 05 has no NaN anywhere (the exponent partial is never computed)');
    const g = JSON.parse(cli(['0.5 * (y - target)^2', '--at', 'y=-0.6669236856097243,target=0.5', '--format', 'json', '--constant-grads']).stdout);
    const [half, two] = g.nodes.filter((n: { kind: string }) => n.kind === 'const');
    assert.ok(Math.abs(half.grad - 1.1669236856097243 ** 2) < 1e-12, '∂L/∂0.5 = (y − target)²');
    assert.equal(two.grad, null, 'a literal exponent has no gradient, even with --constant-grads');
    assert.equal(g.edges.find((e: { from: string }) => e.from === two.id).local, null);
    assert.doesNotMatch(JSON.stringify(g), /NaN|Infinity/);
  });

  it('--constants nodes|fold for mermaid and text; text lists constant gradients only with --constant-grads', () => {
    const fold = cli(['(x^2+1)^3', '--at', 'x=2', '--format', 'mermaid']).stdout;
    assert.equal((fold.match(/^ {2}n\d+[([]/gm) ?? []).length, 4);
    assert.match(fold, /n2\("x²<br\/>value 4<br\/>grad 75"\)/);
    const nodes = cli(['(x^2+1)^3', '--at', 'x=2', '--format', 'mermaid', '--constants', 'nodes']).stdout;
    assert.equal((nodes.match(/^ {2}n\d+[([]/gm) ?? []).length, 7);
    assert.match(nodes, /^ {2}n1\["2<br\/>value 2"\]$/m);
    assert.match(nodes, /^ {2}n1 --> n2$/m, 'a constant edge without a local derivative');
    const text = cli(['(x^2+1)^3', '--at', 'x=2']).stdout;
    assert.match(text, /^ {2}n4 +x² \+ 1 +5 +75 /m);
    assert.doesNotMatch(text, /^ {2}n[135] /m, 'folded constants are not listed');
    const textNodes = cli(['(x^2+1)^3', '--at', 'x=2', '--constants', 'nodes']).stdout;
    assert.match(textNodes, /^ {2}n3 +1 +1 +- /m);
    const textGrads = cli(['(x^2+1)^3', '--at', 'x=2', '--constants', 'nodes', '--constant-grads']).stdout;
    assert.match(textGrads, /^ {2}n3 +1 +1 +75 /m);
    assert.match(textGrads, /^ {2}n1 +2 +2 +- /m, 'never for a literal exponent');
  });

  it('--edge-labels number prints numbers only (formula is the default)', () => {
    const r = cli(['x^2', '--at', 'x=3', '--format', 'mermaid', '--edge-labels', 'number']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /n0 -->\|"6"\| n2/);
  });

  it('a gradient whose edge products cancel (±2.5e141) is the exact sum the tape accumulates: x / tanh(x) + 3x at x = 4.04e-142', () => {
    const r = analyze('(((x + (0.5 + x)) + x) + (x / tanh(x)))', { lang: 'math', values: { x: 4.04e-142 }, symbolic: false, gradCheck: false });
    assert.ok(r.ok);
    const j = JSON.parse(renderJson(r.value, { constantGrads: false }));
    assert.equal(j.gradients.x, 3);
  });

  it('property: in json, grad(node) = Σ product over its out-edges for every node with a gradient; output 1', () => {
    const leaf = fc.oneof(fc.constantFrom('x', 'y'), fc.integer({ min: -3, max: 4 }).map(String), fc.constantFrom('0.5', 'pi', 'e'));
    const expr = fc.letrec<{ e: string }>((tie) => ({
      e: fc.oneof({ depthSize: 'small' }, leaf,
        fc.tuple(fc.constantFrom('+', '-', '*', '/', '^'), tie('e'), tie('e')).map(([op, a, b]) => `(${a} ${op} ${b})`),
        fc.tuple(fc.constantFrom('tanh', 'exp', 'log', 'sqrt', 'sin', 'relu'), tie('e')).map(([f, a]) => `${f}(${a})`)),
    })).e;
    let withNulls = 0;
    fc.assert(fc.property(expr, fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), fc.boolean(),
      (text, x, y, constantGrads) => {
        const r = analyze(text, { lang: 'math', values: { x, y }, symbolic: false, gradCheck: false });
        if (!r.ok) return;
        const j = JSON.parse(renderJson(r.value, { constantGrads }));
        const sums = new Map<string, number>();
        // Σ|product| bounds the rounding of any summation order: the tape adds in its own order, and terms such
        // as ±2.5e141 that cancel leave a different remainder in another order (x / tanh(x) at x ≈ 4e-142).
        const magnitudes = new Map<string, number>();
        for (const e of j.edges) {
          const from = j.nodes.find((n: { id: string }) => n.id === e.from);
          assert.equal(e.product === null, from.grad === null, `${text}: edge ${e.from}→${e.to} has a product iff its source has a gradient`);
          assert.equal(e.local === null, e.product === null);
          if (e.product !== null) {
            sums.set(e.from, (sums.get(e.from) ?? 0) + num(e.product));
            magnitudes.set(e.from, (magnitudes.get(e.from) ?? 0) + Math.abs(num(e.product)));
          }
        }
        for (const n of j.nodes) {
          if (n.kind === 'const' && !constantGrads) assert.equal(n.grad, null, `${text}: constant ${n.id}`);
          if (n.grad === null) { withNulls++; continue; }
          const grad = num(n.grad);
          if (n.id === j.nodes.at(-1).id) { assert.equal(grad, 1, `${text}: output`); continue; }
          const sum = sums.get(n.id);
          assert.ok(sum !== undefined, `${text}: ${n.id} has a gradient but no out-edge`);
          if (Number.isNaN(sum) && Number.isNaN(grad)) continue;
          const bound = 1e-9 * Math.max(1, magnitudes.get(n.id)!);
          assert.ok(grad === sum || Math.abs(grad - sum) <= bound, `${text} at x=${x}, y=${y}: grad(${n.id}) ${grad} ≠ Σ ${sum}`);
          if (!Number.isFinite(grad)) assert.ok(n.warnings?.length, `${text}: ${n.id} shows ${n.grad} without a warning`);
        }
        for (const n of j.nodes) if (!Number.isFinite(num(n.value))) assert.ok(n.warnings?.length, `${text}: ${n.id} value ${n.value} without a warning`);
      }), { numRuns: 400, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) });
    assert.ok(withNulls > 0, 'constants were generated');
  });
});
