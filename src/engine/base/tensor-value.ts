import { BackpropError } from './errors';
import { formatNumber } from './format';

/** A value given for a variable: a number, a vector or a matrix (rows of equal length). */
export type TensorValue = number | number[] | number[][];
export type TensorValues = Readonly<Record<string, TensorValue>>;

/** `3×2`, `3-vector`, `scalar`: how shapes read in messages and labels. */
export function shapeText(shape: readonly number[]): string {
  if (shape.length === 0) return 'scalar';
  if (shape.length === 1) return `${shape[0]}-vector`;
  return shape.join('×');
}

/** How many entries a value of this shape has (1 for a scalar). */
export const entryCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Shape and row-major entries of a given value; throws 'bad-value' unless it is a number, vector or rectangular matrix. */
export function flattenValue(name: string, v: TensorValue): { shape: number[]; data: number[] } {
  const bad = (why: string): never => { throw new BackpropError('bad-value', `value of '${name}' ${why}`); };
  if (typeof v === 'number') return { shape: [], data: [v] };
  if (!Array.isArray(v) || v.length === 0) bad('must be a number, a vector or a matrix');
  if (v.every((x) => typeof x === 'number')) return { shape: [v.length], data: (v as number[]).slice() };
  const rows = v as unknown[];
  if (!rows.every((r) => Array.isArray(r))) bad('mixes numbers and rows');
  const cols = (rows[0] as unknown[]).length;
  const data: number[] = [];
  for (const r of rows as unknown[][]) {
    if (r.length !== cols) bad('has rows of different lengths');
    for (const x of r) {
      if (typeof x !== 'number') bad(Array.isArray(x) ? 'has more than 2 dimensions' : 'has an entry that is not a number');
      data.push(x as number);
    }
  }
  if (cols === 0) bad('has an empty row');
  return { shape: [rows.length, cols], data };
}

/** A value shaped like `shape` from row-major data. */
export function shapeValue(shape: readonly number[], data: readonly number[]): TensorValue {
  if (shape.length === 0) return data[0];
  if (shape.length === 1) return data.slice(0, shape[0]);
  const out: number[][] = [];
  for (let r = 0; r < shape[0]; r++) out.push(data.slice(r * shape[1], (r + 1) * shape[1]));
  return out;
}

/** A tensor value as text: `0.5`, `[1, 2]`, `[[1, 2], [3, 4]]`. */
export function formatTensor(v: TensorValue, digits = 4): string {
  if (typeof v === 'number') return formatNumber(v, digits);
  return `[${(v as (number | number[])[]).map((x) => (typeof x === 'number' ? formatNumber(x, digits) : formatTensor(x, digits))).join(', ')}]`;
}
