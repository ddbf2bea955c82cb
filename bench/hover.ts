/**
 * Section `hover`: the whole computation of a derivative hover on a variable, timed through the same pure
 * function DerivativeHoverProvider calls (src/vscode/text/hover-compute.ts): word and statement, parse,
 * symbolic derivative, the earlier statements composed in, the numbers, the markdown lines. Only the vscode
 * objects (MarkdownString, Hover, Range) are left out.
 */
import * as engine from '../src/host/engine';
import { computeHover, type HoverRequest } from '../src/vscode/text/hover-compute';
import { consume, median, percentile, round, type BenchRecord } from './util';

interface HoverCase { name: string; doc: string; languageId: string; word: string; line: number }

const CASES: HoverCase[] = [
  {
    name: 'ts lesson line (day05 loss, hover w1)',
    languageId: 'typescript',
    doc: 'const x = 1;\nconst w1 = 1.2;\nconst w2 = -0.8;\nconst target = 0.5;\nconst h = Math.tanh(w1 * x);\nconst y = w2 * h;\nconst L = 0.5 * (y - target) ** 2 + 0.01 * (w1 ** 2 + w2 ** 2);\n',
    word: 'w1',
    line: 6,
  },
  {
    name: 'markdown math line ((x^2+1)^3, hover x)',
    languageId: 'markdown',
    doc: '# Chain rule\n\n```math\nx = 2\ny = (x^2+1)^3\n```\n',
    word: 'x',
    line: 4,
  },
];

/** The request VS Code's hover would make at `offset` of a lesson file, with default settings. */
export function hoverRequest(text: string, offset: number, languageId: string): HoverRequest {
  return {
    text, offset, languageId,
    uri: 'file:///lessons/bench',
    isLesson: () => true,
    remembered: {},
    digits: 4,
    engine: () => engine,
  };
}

export function hoverSection(emit: (r: BenchRecord) => void): void {
  for (const c of CASES) {
    const lineStart = c.doc.split('\n').slice(0, c.line).join('\n').length + 1;
    const offset = c.doc.indexOf(c.word, c.doc.indexOf('=', lineStart) + 1) + 1;
    const req = hoverRequest(c.doc, offset, c.languageId);
    const t0 = performance.now();
    const first = computeHover(req);
    const firstMs = performance.now() - t0;
    const shown = first?.lines;
    if (!shown || first.gradient === undefined) {
      emit({ name: `hover.${c.name}`, median_ms: NaN, unavailable: `the hover computation did not produce a derivative and a number: ${JSON.stringify(shown)}` });
      continue;
    }
    // Three phases, each reported: the first hover (cold: first use of mathjs's parser, nothing compiled
    // yet); 400 hovers after 30 warm-up calls (while V8 still compiles the hover's code, and, right after the
    // engine bundle loaded, mathjs's: on 2 cores those compiles compete with the timed runs); and 400 hovers
    // once a second of hovering has passed (steady state). The target must hold in both timed phases.
    const timed = () => {
      const out: number[] = [];
      for (let i = 0; i < 400; i++) {
        const t = performance.now();
        consume(computeHover(req));
        out.push(performance.now() - t);
      }
      return out;
    };
    for (let i = 0; i < 30; i++) computeHover(req);
    const early = timed();
    while (performance.now() - t0 < 1000) computeHover(req);
    const times = timed();
    const p95 = percentile(times, 95);
    const earlyP95 = percentile(early, 95);
    emit({
      name: `hover.${c.name}`,
      median_ms: round(median(times)),
      median_us: round(median(times) * 1e3),
      p95_us: round(p95 * 1e3),
      runs: times.length,
      first_us: round(firstMs * 1e3),
      early_median_us: round(median(early) * 1e3),
      early_p95_us: round(earlyP95 * 1e3),
      // The formula and the number (the values it is taken at are left out of the table).
      shows: `${shown[0]} | ${shown[1].split(' at ')[0]}`.replace(/\*\*/g, ''),
      target: 'p95 ≤ 2 ms (after 30 warm-up hovers, and at steady state)',
      met: p95 <= 2 && earlyP95 <= 2,
    });
  }
}
