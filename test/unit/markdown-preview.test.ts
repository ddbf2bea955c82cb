/**
 * ```backprop fences in the Markdown preview, as markdown-it renders them with our plugin (src/markdown/plugin.ts)
 * and the real engine: the placeholder carries the emitter's Mermaid source and a caption with the value and the
 * gradients; values come from the info string, the block and the page; errors show in place with their document
 * line; user text is escaped; nothing runs. Also: the shipped lessons' ```backprop fences keep their CodeLenses,
 * and a lens traces the same numbers the preview shows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lessonDoc, log, memento } from './vscode-stub';
import * as engine from '../../src/host/engine';
import { backpropMarkdownIt, type MarkdownItLike } from '../../src/markdown/plugin';
import { lensSpots, parseBackpropInfo } from '../../src/vscode/text/scan';

const ROOT = resolve(__dirname, '../..');
// markdown-it ships no types; the plugin declares the parts it uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MarkdownIt = require('markdown-it') as new (options?: Record<string, unknown>) => MarkdownItLike & { render(src: string): string };

let engineLoads = 0;
function preview(options: Record<string, unknown> = {}) {
  return backpropMarkdownIt(new MarkdownIt(options), { engine: () => (engineLoads++, engine) });
}

interface Placeholder { mermaid?: string; caption?: string; error?: string; html: string }

/** The preview blocks of rendered HTML, in order, with the data attribute and caption un-escaped. */
function placeholders(html: string): Placeholder[] {
  const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return [...html.matchAll(/<div class="bp-preview[^]*?<\/div>\n/g)].map((m) => {
    const block = m[0];
    const mermaid = /data-bp-mermaid="([^"]*)"/.exec(block)?.[1];
    const caption = /<p class="bp-preview-caption">([^<]*)<\/p>/.exec(block)?.[1];
    const error = /bp-preview-error[^>]*>([^]*?)<\/div>/.exec(block)?.[1];
    return {
      html: block,
      mermaid: mermaid === undefined ? undefined : unescape(mermaid),
      caption: caption === undefined ? undefined : unescape(caption),
      error: error === undefined ? undefined : unescape(error.replace(/<[^>]+>/g, '')),
    };
  });
}

const lesson = (name: string) => readFileSync(join(ROOT, 'lessons', name), 'utf8');

test('day-40 lesson: the ```backprop x=2 fence is drawn with value 125 and gradient 300; the named form takes x from the page', () => {
  const html = preview().render(lesson('day40-chain-rule.md'));
  const [seed, named, ...rest] = placeholders(html);
  assert.equal(rest.length, 0, 'only the two ```backprop fences become graphs');
  assert.ok(seed.mermaid, seed.html);
  assert.match(seed.mermaid, /^flowchart LR\n/);
  assert.match(seed.mermaid, /n0\(\["x<br\/>value 2<br\/>grad 300"\]\)/, 'the input x: value 2, gradient 300');
  assert.match(seed.mermaid, /value 125<br\/>grad 1"/, 'the output: value 125');
  assert.deepEqual([...seed.mermaid.matchAll(/-->\|"([^"]*)"\|/g)].map((m) => m[1]), ['2x = 4', '1', '3·#40;x² + 1#41;² = 75'], 'edges carry the local derivatives');
  assert.equal(seed.caption, 'output = 125 · ∂output/∂x = 300 at x = 2');
  assert.equal(named.caption, 'f = 125 · ∂f/∂x = 300 at x = 2');
  assert.doesNotMatch(html, /NaN/);
  // The code itself is still shown, as the preview shows any fence, before its graph.
  assert.ok(html.indexOf('<pre><code>(x^2 + 1)^3') < html.indexOf('data-bp-mermaid'), html.slice(0, 600));
  // Other fences and math are untouched: no placeholder for the $$ block.
  assert.match(html, /\\sin\(x\^2 \+ 1\) \\cdot x/);
});

test('day-05 lesson: the ```backprop ts network reads the values declared in the ```ts block above, as the panel does', () => {
  const [network] = placeholders(preview().render(lesson('day05-backprop-intuition.md')));
  assert.ok(network?.caption, network?.html);
  assert.equal(network.caption, 'L = 0.6809 · ∂L/∂w1 = 0.2847 · ∂L/∂x = 0.3417 · ∂L/∂w2 = -0.9728 · ∂L/∂target = 1.167 at w1 = 1.2, x = 1, w2 = -0.8, target = 0.5');
  assert.match(network.mermaid!, /tanh/);
  assert.match(network.mermaid!, /"L = [^"]*<br\/>value 0\.6809<br\/>grad 1"/);
});

test('values from the info string, from literal assignments in the block, and a language after backprop', () => {
  const md = preview();
  const cases: [string, string][] = [
    ['```backprop x=3\nx^2\n```\n', 'output = 9 · ∂output/∂x = 6 at x = 3'],
    ['```backprop x=2, y=-0.5\nx * y\n```\n', 'output = -1 · ∂output/∂x = -0.5 · ∂output/∂y = 2 at x = 2, y = -0.5'],
    ['```backprop x=1 y=4\nx + y\n```\n', 'output = 5 · ∂output/∂x = 1 · ∂output/∂y = 1 at x = 1, y = 4'],
    ['```backprop\nx = 3\ny = x^2\n```\n', 'y = 9 · ∂y/∂x = 6 at x = 3'],
    ['```backprop ts\nconst a = 2;\nconst b = Math.sin(a) * a;\n```\n', `b = ${engine.formatNumber(Math.sin(2) * 2)} · ∂b/∂a = ${engine.formatNumber(Math.cos(2) * 2 + Math.sin(2))} at a = 2`],
    ['```backprop ts x=2\nx ** 2 + 1\n```\n', 'output = 5 · ∂output/∂x = 4 at x = 2'],
    // The fence's value wins over one further up the page: it is the nearest assignment before the block.
    ['Let `x = 10`.\n\n```backprop x=2\nx^2\n```\n', 'output = 4 · ∂output/∂x = 4 at x = 2'],
    ['Let `x = 10`.\n\n```backprop\nx^2\n```\n', 'output = 100 · ∂output/∂x = 20 at x = 10'],
  ];
  for (const [src, caption] of cases) {
    const [p, ...more] = placeholders(md.render(src));
    assert.equal(more.length, 0, src);
    assert.equal(p?.caption, caption, `${src}\n${p?.html}`);
  }
});

test('a TypeScript fence beyond the fast reader goes to the compiler-based front end, as in the panel', () => {
  const src = '```backprop ts\nfunction sq(v: number): number { return v * v; }\nconst x = 3;\nconst y = sq(x) + x;\n```\n';
  const direct = engine.analyze('function sq(v: number): number { return v * v; }\nconst x = 3;\nconst y = sq(x) + x;', { lang: 'ts' });
  const [p] = placeholders(preview().render(src));
  if (direct.ok) {
    assert.equal(p.caption, `y = ${engine.formatNumber(direct.value.value)} · ∂y/∂x = ${engine.formatNumber(direct.value.gradients.x)} at x = 3`, p.html);
  } else {
    // The engine refuses it (functions not traced by this version): the preview says the same, at the same place.
    assert.ok(p.error, p.html);
    assert.ok(p.error.includes(direct.error.message), `${p.error} vs ${direct.error.message}`);
  }
});

test('errors show in place with their document line:col, and the rest of the page still renders', () => {
  const src = [
    '# Title', //                       1
    '', //                              2
    '```backprop', //                   3
    'u = x^2', //                       4
    'v = foo(u)', //                    5
    '```', //                           6
    '', //                              7
    '```backprop x=abc', //             8
    'x + 1', //                         9
    '```', //                           10
    '', //                              11
    '```backprop y=2', //               12
    'x * y', //                         13
    '```', //                           14
    '', //                              15
    '```backprop rust', //              16
    'x', //                             17
    '```', //                           18
    '', //                              19
    '- a list item', //                 20
    '', //                              21
    '  ```backprop x=1', //             22
    '  x +* 2', //                      23
    '  ```', //                         24
    '', //                              25
    '```backprop x=2', //               26
    'x^3', //                           27
    '```', //                           28
  ].join('\n');
  const blocks = placeholders(preview().render(src));
  assert.equal(blocks.length, 6);
  assert.match(blocks[0].error ?? '', /^Backprop Graph line 5:5 unknown function 'foo'/);
  assert.match(blocks[1].error ?? '', /^Backprop Graph line 8:13 "abc" is not a number \(for x in the fence's info string\)/);
  assert.match(blocks[2].error ?? '', /^Backprop Graph line 12:1 no value for x: give it in the fence \(```backprop x=1\)/);
  assert.match(blocks[3].error ?? '', /^Backprop Graph line 16:13 "rust" is neither a language/);
  assert.match(blocks[4].error ?? '', /^Backprop Graph line 23:\d+ /, 'a fence inside a list item reports its document line');
  assert.equal(blocks[5].caption, 'output = 8 · ∂output/∂x = 12 at x = 2', 'the fence after the errors is drawn');
  for (const b of blocks.slice(0, 5)) assert.match(b.html, /role="alert"/);
});

test('no HTML from user text: code, names and messages are escaped; the Mermaid source is in an attribute', () => {
  const md = preview();
  const evil = '```backprop\n<img src=x onerror=alert(1)> + "</div><script>alert(2)</script>"\n```\n';
  const html = md.render(evil);
  assert.doesNotMatch(html, /<img|<script/i);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  // Labels from the emitter are Mermaid-escaped, then attribute-escaped: no raw quote or bracket inside the attribute.
  const named = md.render('```backprop ts\nconst évil_$ = 2;\nconst out = évil_$ * 3;\n```\n');
  const attr = /data-bp-mermaid="([^"]*)"/.exec(named)?.[1] ?? '';
  assert.ok(attr.length > 0, named);
  assert.doesNotMatch(attr, /[<>]/);
  assert.match(placeholders(named)[0].caption ?? '', /^out = 6 · ∂out\/∂évil_\$ = 3/);
});

test('nothing runs: a fence that would spawn a process is refused in place, the marker file never appears', () => {
  const marker = '/tmp/backprop-graph-preview-marker';
  rmSync(marker, { force: true });
  const src = `\`\`\`backprop ts\nrequire('child_process').execSync('touch ${marker}');\nconst y = 2 * 3;\n\`\`\`\n`;
  const [p] = placeholders(preview().render(src));
  assert.ok(p.error, p.html);
  assert.match(p.error, /line 2:\d+/);
  assert.ok(!existsSync(marker), 'the marker file exists: something ran');
});

test('ordinary fences render exactly as without the plugin, and a page without ```backprop never loads the engine', () => {
  const src = '```ts\nconst x = 1;\n```\n\n```math\nx^2\n```\n\n```backprop-not\nx\n```\n\ntext `backprop`\n';
  const before = engineLoads;
  assert.equal(preview().render(src), new MarkdownIt().render(src));
  assert.equal(engineLoads, before);
});

test('the highlighter sees the fence under its language (ts), not under "backprop ts"', () => {
  const seen: string[] = [];
  const md = preview({ highlight: (code: string, lang: string) => { seen.push(lang); return ''; } });
  md.render('```backprop ts\nconst y = 2 * 3;\n```\n\n```backprop x=1\nx\n```\n');
  assert.deepEqual(seen, ['ts', '']);
});

test('re-rendering an unchanged page re-traces nothing (outcomes are cached by the text they depend on)', () => {
  const md = preview();
  const page = lesson('day40-chain-rule.md');
  const first = md.render(page);
  const calls: string[] = [];
  const spyEngine = { ...engine, analyze: (...args: Parameters<typeof engine.analyze>) => (calls.push(args[0]), engine.analyze(...args)) };
  const spied = backpropMarkdownIt(new MarkdownIt(), { engine: () => spyEngine });
  assert.equal(spied.render(page), first);
  const traced = calls.length;
  assert.equal(spied.render(page), first);
  assert.equal(calls.length, traced, 'the second render traced again');
  spied.render(page.replace('```backprop x=2', '```backprop x=3'));
  assert.ok(calls.length > traced, 'an edit of the fence did not re-trace');
});

test('hovers inside a ```backprop fence with no language: the engine detects it, values and earlier lines come from the page', async () => {
  const { computeHover } = await import('../../src/vscode/text/hover-compute');
  const text = lesson('day40-chain-rule.md');
  const hover = (needle: string, offset: number) => computeHover({
    text, offset: text.indexOf(needle) + offset, languageId: 'markdown', uri: 'file:///lessons/day40', isLesson: () => true, remembered: {}, digits: 4, engine: () => engine,
  })?.lines.join('\n') ?? '';
  // x = 2 from the page (the latest `x = 2` above), u = x^2 from the fence's first line.
  assert.match(hover('v = u + 1', 4), /∂v\/∂u\*\* = `1`\n= \*\*1\*\* at x = 2 \(line \d+: x = 2\); v = 5\nUses `line \d+: u = x\^2`/);
  assert.match(hover('f = v^3', 4), /= \*\*75\*\* at x = 2 .*; f = 125/);
  assert.match(hover('(x^2 + 1)^3', 1), /6x·\(x² \+ 1\)²`\n= \*\*300\*\* at x = 2/);
});

test('parseBackpropInfo: only a first word "backprop" makes a graph fence', () => {
  assert.equal(parseBackpropInfo('ts'), undefined);
  assert.equal(parseBackpropInfo('backpropagation'), undefined);
  assert.deepEqual(parseBackpropInfo('backprop'), { values: [] });
  assert.deepEqual(parseBackpropInfo('backprop python'), { lang: 'python', values: [] });
  assert.deepEqual(parseBackpropInfo('Backprop typescript w=-1.5e-1'), { lang: 'ts', values: [{ name: 'w', value: -0.15, start: 20, end: 29 }] });
  assert.match(parseBackpropInfo('backprop ts x=2 oops')?.error?.message ?? '', /"oops" is not a value/);
});

test('the shipped lessons\' ```backprop fences keep their CodeLenses, and a lens traces what the preview draws', async () => {
  const { LessonCodeLensProvider } = await import('../../src/vscode/codelens');
  const { traceTarget } = await import('../../src/vscode/tracer');
  const deps = { log: log as never, state: memento() as never };
  const cases = [
    { file: 'lessons/day40-chain-rule.md', fence: '```backprop x=2', value: 125, grads: { x: 300 } },
    { file: 'lessons/day40-chain-rule.md', fence: '```backprop\nu = x^2', value: 125, grads: { x: 300 } },
    { file: 'lessons/day05-backprop-intuition.md', fence: '```backprop ts', value: 0.6808554440184913, grads: { w1: 0.2847480465272111, w2: -0.9728113065401505, x: 0.3416976558326533 } },
  ];
  for (const c of cases) {
    const doc = lessonDoc(join(ROOT, c.file), 'markdown');
    const text = doc.getText();
    const line = text.slice(0, text.indexOf(c.fence)).split('\n').length - 1;
    assert.ok(text.includes(c.fence), `${c.file} has no ${c.fence}`);
    const lenses = new LessonCodeLensProvider().provideCodeLenses(doc as never, { isCancellationRequested: false } as never)
      // The stub's Range keeps `new Range(line, 0, line, 0)`'s first argument as `start`.
      .filter((l) => { const start = (l.range as unknown as { start: number | { line: number } }).start; return (typeof start === 'number' ? start : start.line) === line; });
    const titles = lenses.map((l) => (l.command as { title: string }).title);
    assert.deepEqual(titles, ['Show Backprop Graph', 'Check gradients'], `${c.file} line ${line + 1}: ${titles.join(', ')}`);
    const args = (lenses[0].command as unknown as { arguments: [{ start: number; end: number; lang?: 'math' | 'ts' }] }).arguments[0];
    const o = await traceTarget({ uri: doc.uri as never, start: args.start, end: args.end, lang: args.lang }, { interactive: false }, deps);
    assert.ok(o.ok, JSON.stringify(o));
    assert.ok(Math.abs(o.payload.value - c.value) < 1e-12, `${c.file}: ${o.payload.value}`);
    for (const [name, grad] of Object.entries(c.grads)) {
      assert.ok(Math.abs(o.analysis.gradients[name] - grad) < 1e-12, `${c.file} ∂/∂${name} = ${o.analysis.gradients[name]}`);
    }
  }
  // The spots themselves (pure): a ```backprop fence is a block worth a lens, in any language.
  const spots = lensSpots(lesson('day05-backprop-intuition.md'), 'markdown');
  assert.ok(spots.some((s) => s.label === 'backprop block' && s.lang === 'ts'), JSON.stringify(spots));
});
