/** Numbers for people: `sig` significant digits, trailing zeros dropped, integers plain, ∞ and NaN spelled. */
export function formatNumber(v: number, sig = 4): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '−∞';
  if (Object.is(v, -0)) return '0';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e15)) {
    const [m, ex] = v.toExponential(sig - 1).split('e');
    return `${trimZeros(m)}e${ex}`;
  }
  return trimZeros(v.toPrecision(sig));
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

const SUBSCRIPT_DIGITS = '₀₁₂₃₄₅₆₇₈₉';
/** `₂` for 2: the version mark of a reassigned name (`h₂`). */
export function subscript(n: number): string {
  return String(n).replace(/\d/g, (d) => SUBSCRIPT_DIGITS[Number(d)]);
}
