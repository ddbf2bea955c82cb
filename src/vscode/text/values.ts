/**
 * The value of each free name and where it came from: one rule for the panel (tracer.ts), the hover
 * (hover-compute.ts) and the notebook CodeLens that names each value's cell (codelens.ts), so all three show
 * the same numbers. Pure: no vscode.
 */
import { compose, describeAssignment, type ValueSource } from './compose';
import { documentAssignments, identifiers, type Assignment, type TextLang } from './scan';

export interface KnownValues {
  /** Keyed by names from the document: no prototype. */
  values: Record<string, number>;
  sources: Record<string, string>;
  /** Each found name's whole source (its cell and line, when known). */
  from: Record<string, ValueSource>;
  /** Names with no value anywhere, in the order asked. */
  missing: string[];
}

export const REMEMBERED_SOURCE = 'remembered, entered earlier';

/**
 * First the document (literal assignments found by compose()), then earlier notebook cells, then values the
 * user entered before (the input box).
 */
export function knownValues(
  names: readonly string[],
  fromDocument: Readonly<Record<string, ValueSource>>,
  fromCells: Readonly<Record<string, ValueSource>>,
  remembered: Readonly<Record<string, number>>,
): KnownValues {
  const values: Record<string, number> = Object.create(null);
  const sources: Record<string, string> = Object.create(null);
  const from: Record<string, ValueSource> = Object.create(null);
  const missing: string[] = [];
  for (const name of names) {
    const found = (Object.hasOwn(fromDocument, name) ? fromDocument[name] : undefined) ?? (Object.hasOwn(fromCells, name) ? fromCells[name] : undefined);
    if (found) {
      values[name] = found.value;
      sources[name] = found.source;
      from[name] = found;
    } else if (Object.hasOwn(remembered, name) && Number.isFinite(remembered[name])) {
      values[name] = remembered[name];
      sources[name] = REMEMBERED_SOURCE;
      from[name] = { value: remembered[name], source: REMEMBERED_SOURCE };
    } else if (!missing.includes(name)) missing.push(name);
  }
  return { values, sources, from, missing };
}

/** One notebook cell's text, in notebook order. */
export interface CellText {
  text: string;
  languageId: string;
}

/**
 * Literal values assigned in the code cells before `index` (0-based), as when the cells run top to bottom: the
 * last assignment to a name wins, and one that is not a literal (`x = y * 2`) forgets the earlier literal, so
 * no stale number is used. Markdown cells never run: their prose (`x = 2` in inline code) assigns nothing.
 * Cells are numbered from 1, markdown cells included, as they are counted on screen.
 */
export function earlierCellValues(cells: readonly CellText[], index: number): Record<string, ValueSource> {
  const out: Record<string, ValueSource> = Object.create(null);
  for (let i = 0; i < Math.min(index, cells.length); i++) {
    if (cells[i].languageId === 'markdown') continue;
    for (const a of documentAssignments(cells[i].text, cells[i].languageId)) {
      if (a.literal !== undefined) out[a.name] = { value: a.literal, source: `cell ${i + 1}, ${describeAssignment(a)}`, line: a.line + 1, cell: i + 1 };
      else delete out[a.name];
    }
  }
  return out;
}

/** What a notebook cell's lens says about one value: `x = 2 from cell 3`, and the whole source as its tooltip. */
export interface Provenance {
  name: string;
  value: number;
  /** `x = 2 from cell 3` (an earlier cell), `w = 0.5 from line 1` (this cell). */
  title: string;
  /** The whole source: `cell 3, line 1: x = torch.tensor([2.0], requires_grad=True)`. */
  tooltip: string;
}

/** Names the piece `spot` of `text` reads before assigning them (the guess compose() works with, no engine). */
function namesRead(text: string, spot: { start: number; end: number }, assignments: readonly Assignment[]): string[] {
  const inside = assignments.filter((a) => a.start >= spot.start && a.end <= spot.end);
  if (!inside.length) return identifiers(text.slice(spot.start, spot.end));
  const assigned = new Set<string>();
  const out: string[] = [];
  for (const a of inside) {
    for (const name of identifiers(a.rhs)) if (!assigned.has(name) && !out.includes(name)) out.push(name);
    assigned.add(a.name);
  }
  return out;
}

/**
 * Where each value the traced piece `spot` of a notebook cell's `text` uses comes from, by the panel's rule
 * (compose, then knownValues with the earlier cells' values): one entry per value found, in the order the
 * piece reads them; empty unless at least one comes from an earlier cell (a cell standing alone needs no lens).
 */
export function valueProvenance(
  text: string,
  languageId: string,
  spot: { start: number; end: number; lang?: TextLang },
  fromCells: Readonly<Record<string, ValueSource>>,
): Provenance[] {
  const assignments = documentAssignments(text, languageId);
  const composed = compose(text, spot, spot.lang ?? 'math', assignments, namesRead(text, spot, assignments));
  const known = knownValues(composed.inputs, composed.values, fromCells, {});
  const found = composed.inputs.filter((name) => Object.hasOwn(known.from, name));
  if (!found.some((name) => known.from[name].cell !== undefined)) return [];
  return found.map((name) => {
    const source = known.from[name];
    const where = source.cell !== undefined ? `cell ${source.cell}` : source.line !== undefined ? `line ${source.line}` : source.source;
    return { name, value: source.value, title: `${name} = ${source.value} from ${where}`, tooltip: source.source };
  });
}
