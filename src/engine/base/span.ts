/** A source range: offsets into the text the user selected, plus 1-based line:col of the start for messages. */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly col: number;
}

/**
 * Maps offsets to lines in O(log lines); built once per source text. Messages use 1-based line:col
 * (`position`, `span`); editor helpers use 0-based line numbers (`lineAt`, `range`, `lineText`).
 */
export class LineIndex {
  /** Offset where each 0-based line starts. */
  readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
    }
  }

  get count(): number {
    return this.starts.length;
  }

  /** 0-based line containing `offset`. */
  lineAt(offset: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Start and end (before the line break, `\r\n` included) of a 0-based line. */
  range(line: number): { start: number; end: number } {
    const start = this.starts[line];
    let end = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return { start, end };
  }

  lineText(line: number): string {
    const r = this.range(line);
    return this.text.slice(r.start, r.end);
  }

  /** 1-based line:col of `offset`, for messages. */
  position(offset: number): { line: number; col: number } {
    const line = this.lineAt(offset);
    return { line: line + 1, col: offset - this.starts[line] + 1 };
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
