/**
 * The value of each free name and where it came from: one rule for the panel (tracer.ts) and the hover
 * (hover-compute.ts), so both show the same numbers. Pure: no vscode.
 */
import type { ValueSource } from './compose';

export interface KnownValues {
  /** Keyed by names from the document: no prototype. */
  values: Record<string, number>;
  sources: Record<string, string>;
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
  const missing: string[] = [];
  for (const name of names) {
    const found = (Object.hasOwn(fromDocument, name) ? fromDocument[name] : undefined) ?? (Object.hasOwn(fromCells, name) ? fromCells[name] : undefined);
    if (found) {
      values[name] = found.value;
      sources[name] = found.source;
    } else if (Object.hasOwn(remembered, name) && Number.isFinite(remembered[name])) {
      values[name] = remembered[name];
      sources[name] = REMEMBERED_SOURCE;
    } else if (!missing.includes(name)) missing.push(name);
  }
  return { values, sources, missing };
}
