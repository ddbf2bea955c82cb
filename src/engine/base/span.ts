/** A source range: offsets into the text the user selected, plus 1-based line:col of the start for messages. */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly col: number;
}

/** Maps offsets to line:col in O(log lines); built once per source text. */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
  }

  position(offset: number): { line: number; col: number } {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - starts[lo] + 1 };
  }

  span(start: number, end: number): Span {
    const s = Math.max(0, Math.min(start, this.text.length));
    const e = Math.max(s, Math.min(end, this.text.length));
    const { line, col } = this.position(s);
    return { start: s, end: e, line, col };
  }
}

/** Shift a span computed inside a snippet so it points into the enclosing document. */
export function offsetSpan(span: Span, base: { offset: number; line: number; col: number }): Span {
  return {
    start: span.start + base.offset,
    end: span.end + base.offset,
    line: span.line + base.line - 1,
    col: span.line === 1 ? span.col + base.col - 1 : span.col,
  };
}
