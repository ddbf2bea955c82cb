/**
 * Turning "the thing at the cursor" into a program the engine can trace: earlier assignments it depends on
 * are prepended (so `const L = …` shows the whole network), literal assignments become input values with a
 * stated source, and offsets in the traced text map back into the document. Pure: no vscode.
 */
import { latexToMath } from './latex';
import { identifiers, type Assignment, type TextLang } from './scan';

export interface Segment {
  /** Offset in the composed text. */
  from: number;
  length: number;
  /** Offset in the document. */
  docOffset: number;
}

export interface ValueSource {
  value: number;
  /** Shown beside the input in the panel: "line 3: const x = 2", "cell 1, line 1: x = 2.0", "remembered", "input box". */
  source: string;
  /** 1-based line of the assignment, in its document (or its notebook cell), when it is one. */
  line?: number;
  /** 1-based notebook cell the assignment is in, when it comes from an earlier cell. */
  cell?: number;
}

export interface Composed {
  text: string;
  segments: Segment[];
  /** Values for free names found as literal assignments earlier in the document. */
  values: Record<string, ValueSource>;
  /** Earlier statements included, for the panel's title / log. */
  included: Assignment[];
  /** Names the composed text needs a value for, in lookup order: those in `values`, then any with no earlier assignment. */
  inputs: string[];
}

export function describeAssignment(a: Assignment): string {
  const text = a.text.length > 60 ? `${a.text.slice(0, 59)}…` : a.text;
  return `line ${a.line + 1}: ${text}`;
}

/** The latest assignment to `name` that ends before `before`. */
function lastBefore(assignments: readonly Assignment[], name: string, before: number): Assignment | undefined {
  let found: Assignment | undefined;
  for (const a of assignments) {
    if (a.end > before) break;
    if (a.name === name) found = a;
  }
  return found;
}

/**
 * Builds the traced text for `target` (document offsets [start, end) of `docText`). `needed` are the target's
 * free variables (from the engine's parse, or `identifiers`). Earlier same-language non-literal assignments
 * to needed names are prepended, transitively; literal ones become values.
 */
export function compose(
  docText: string,
  target: { start: number; end: number },
  lang: TextLang,
  assignments: readonly Assignment[],
  needed: readonly string[],
): Composed {
  const ordered = [...assignments].sort((a, b) => a.start - b.start);
  // Keyed by names from the document: no prototype, so `constructor` finds nothing.
  const values: Record<string, ValueSource> = Object.create(null);
  const chosen = new Set<Assignment>();
  const queue: { name: string; before: number }[] = needed.map((name) => ({ name, before: target.start }));
  const seen = new Set<string>();
  const inputs: string[] = [];
  while (queue.length) {
    const { name, before } = queue.shift()!;
    const key = `${name}@${before}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const a = lastBefore(ordered, name, before);
    if (!a || a.literal !== undefined) {
      if (!inputs.includes(name)) inputs.push(name);
    }
    if (!a) continue;
    if (a.literal !== undefined) {
      if (!(name in values)) values[name] = { value: a.literal, source: describeAssignment(a), line: a.line + 1 };
    } else if (a.lang === lang && !chosen.has(a)) {
      chosen.add(a);
      for (const id of identifiers(a.rhs)) queue.push({ name: id, before: a.start });
    }
  }
  const included = [...chosen].sort((a, b) => a.start - b.start);
  const segments: Segment[] = [];
  let text = '';
  for (const a of included) {
    text += a.prefix ?? '';
    segments.push({ from: text.length, length: a.text.length, docOffset: a.start });
    text += a.text + (lang === 'ts' ? ';\n' : '\n');
  }
  segments.push({ from: text.length, length: target.end - target.start, docOffset: target.start });
  text += docText.slice(target.start, target.end);
  // LaTeX in markdown math, rewritten offset for offset (see latex.ts).
  if (lang === 'math') text = latexToMath(text);
  return { text, segments, values, included, inputs };
}

/** Maps an offset in the composed text to the document (clamped into the nearest segment). */
export function toDocOffset(segments: readonly Segment[], offset: number): number {
  let best = segments[segments.length - 1];
  for (const s of segments) {
    if (offset >= s.from && offset <= s.from + s.length) return s.docOffset + (offset - s.from);
    if (s.from <= offset) best = s;
  }
  if (!best) return offset;
  return best.docOffset + Math.max(0, Math.min(best.length, offset - best.from));
}

/** Literal values for the assignments inside the target itself (trace reports them as 'literal'). */
export function literalSources(assignments: readonly Assignment[], target: { start: number; end: number }): Record<string, string> {
  const first = new Map<string, string>();
  for (const a of assignments) {
    if (a.start >= target.start && a.end <= target.end && a.literal !== undefined && !first.has(a.name)) first.set(a.name, describeAssignment(a));
  }
  return Object.fromEntries(first);
}

/**
 * Parses the input box's `x=1, w=-0.5` into values. Returns the names it could not read as a message,
 * never throws.
 */
export function parseValueList(text: string): { values: Record<string, number> } | { error: string } {
  const values = new Map<string, number>();
  const parts = text.split(/[,;\n]+/).map((p) => p.trim()).filter(Boolean);
  for (const p of parts) {
    const m = /^([\p{L}_$][\p{L}\p{N}_$]*)\s*[=:]\s*(\S+)$/u.exec(p);
    if (!m) return { error: `cannot read "${p}": write name=number, separated by commas` };
    const v = Number(m[2]);
    if (m[2].trim() === '' || !Number.isFinite(v)) return { error: `"${m[2]}" is not a number (for ${m[1]})` };
    values.set(m[1], v);
  }
  return { values: Object.fromEntries(values) };
}

/** The input box's prefilled text for missing names: `x=1, w=1`, using remembered values when known. */
export function valueListTemplate(names: readonly string[], known: Readonly<Record<string, number>> = {}): string {
  return names.map((n) => `${n}=${Object.hasOwn(known, n) ? known[n] : 1}`).join(', ');
}

/** A document edit: `rangeLength` characters at `rangeOffset` replaced by `text`. */
export interface TextChange {
  rangeOffset: number;
  rangeLength: number;
  text: string;
}

/**
 * Keeps a tracked range on the same text while the document changes. Edits inside or touching the range
 * grow or shrink it; edits before it shift it. Changes of one event refer to the document before the event,
 * so they are applied from the last offset to the first.
 */
export function adjustRange(range: { start: number; end: number }, changes: readonly TextChange[]): { start: number; end: number } {
  let { start, end } = range;
  const sorted = [...changes].sort((a, b) => b.rangeOffset - a.rangeOffset);
  for (const c of sorted) {
    const cStart = c.rangeOffset;
    const cEnd = c.rangeOffset + c.rangeLength;
    const delta = c.text.length - c.rangeLength;
    if (cEnd <= start && !(c.rangeLength === 0 && cStart === start)) {
      start += delta;
      end += delta;
    } else if (cStart > end) {
      // after the range: nothing moves
    } else if (cStart >= start && cEnd <= end) {
      end += delta;
    } else {
      // Overlaps an edge: keep the part outside the edit, include the new text.
      const newStart = Math.min(start, cStart);
      const newEnd = end > cEnd ? end + delta : cStart + c.text.length;
      start = newStart;
      end = Math.max(newStart, newEnd);
    }
  }
  return { start, end };
}

export type { TextLang };
