/**
 * Test-only reader of the engine's printed symbolic syntax (symbolic/algebra.ts's `print`): textbook unicode
 * like `6x·(x² + 1)²`, `1 − tanh²(u)`, `σ(u)·(1 − σ(u))`, `1/(2√u)`, `x > 0 ? 1 : 0`. It evaluates the text
 * at given values with the op table's forward rules, so a test checks what the user reads, not only the tree.
 */
import { OP, OPS, type OpName } from '../../src/engine/tape/ops';

const SUPERSCRIPTS = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const CONSTANTS: Record<string, number> = { π: Math.PI, e: Math.E, τ: 2 * Math.PI };
/** Printed function symbols → op (the op table's `symbol`, plus names that are the op's own). */
const FUNCTIONS = new Map<string, OpName>(OPS.filter((s) => s.arity > 0).flatMap((s) => [[s.symbol, s.name], [s.name, s.name]] as [string, OpName][]));

type Tok = { kind: 'num' | 'name' | 'sup' | 'op'; text: string };

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|([A-Za-z_$πτσ][\w$₀-₉]*(?:\[[\d,]+\])?)|([⁰¹²³⁴⁵⁶⁷⁸⁹]+)|(≥|≤|[-−+·/^()|?:<>,√∛]))/uy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < text.length && (m = re.exec(text))) {
    at = re.lastIndex;
    if (m[1]) out.push({ kind: 'num', text: m[1] });
    else if (m[2]) out.push({ kind: 'name', text: m[2].replace(/^log(₂|₁₀)$/, (s) => s) });
    else if (m[3]) out.push({ kind: 'sup', text: m[3] });
    else if (m[4]) out.push({ kind: 'op', text: m[4] === '-' ? '−' : m[4] });
    if (/^\s*$/.test(text.slice(at))) break;
  }
  if (text.slice(at).trim()) throw new Error(`cannot read ${JSON.stringify(text.slice(at))} in ${text}`);
  return out;
}

const supValue = (s: string) => Number([...s].map((c) => SUPERSCRIPTS.indexOf(c)).join(''));

/** The printed text's value at `values`. */
export function evaluatePrinted(text: string, values: Readonly<Record<string, number>>): number {
  const toks = tokenize(text);
  let k = 0;
  const peek = () => toks[k];
  const isOp = (s: string) => toks[k]?.kind === 'op' && toks[k].text === s;
  const expect = (s: string) => { if (!isOp(s)) throw new Error(`expected ${s} at token ${k} of ${text}`); k++; };
  const fn = (symbol: string, args: number[]) => {
    const op = FUNCTIONS.get(symbol);
    if (!op) throw new Error(`unknown function ${symbol} in ${text}`);
    return OPS[OP[op]].forward(args[0], args[1] ?? 0);
  };
  const conditional = (): number => {
    const left = sum();
    for (const rel of ['>', '≥', '<', '≤']) {
      if (!isOp(rel)) continue;
      k++;
      const right = sum();
      expect('?');
      const then = sum();
      expect(':');
      const otherwise = conditional();
      const holds = rel === '>' ? left > right : rel === '≥' ? left >= right : rel === '<' ? left < right : left <= right;
      return holds ? then : otherwise;
    }
    return left;
  };
  const sum = (): number => {
    let v = isOp('−') ? (k++, -product()) : product();
    for (;;) {
      if (isOp('+')) { k++; v += product(); } else if (isOp('−')) { k++; v -= product(); } else return v;
    }
  };
  // Juxtaposition (2x, 2√u) binds like ·; a / applies to the single factor after it (numerators are products).
  const startsFactor = () => { const t = peek(); return t && (t.kind === 'name' || (t.kind === 'op' && (t.text === '√' || t.text === '∛'))); };
  const product = (): number => {
    if (isOp('−')) { k++; return -product(); }
    let v = power();
    for (;;) {
      if (isOp('·')) { k++; v *= power(); } else if (isOp('/')) { k++; v /= power(); } else if (startsFactor() && toks[k - 1]?.kind === 'num') v *= power();
      else return v;
    }
  };
  const power = (): number => {
    const base = atom();
    if (peek()?.kind === 'sup') return base ** supValue(toks[k++].text);
    if (isOp('^')) { k++; return base ** (isOp('−') ? (k++, -atom()) : atom()); }
    return base;
  };
  const args = (): number[] => {
    expect('(');
    const out = [conditional()];
    while (isOp(',')) { k++; out.push(conditional()); }
    expect(')');
    return out;
  };
  const atom = (): number => {
    const t = toks[k++];
    if (!t) throw new Error(`unexpected end of ${text}`);
    if (t.kind === 'num') return Number(t.text);
    if (t.kind === 'op' && t.text === '(') { const v = conditional(); expect(')'); return v; }
    if (t.kind === 'op' && t.text === '|') { const v = conditional(); expect('|'); return Math.abs(v); }
    if (t.kind === 'op' && (t.text === '√' || t.text === '∛')) { const v = power(); return t.text === '√' ? Math.sqrt(v) : Math.cbrt(v); }
    if (t.kind === 'name') {
      // tanh²(u): a power of a function call.
      if (peek()?.kind === 'sup' && toks[k + 1]?.text === '(' && FUNCTIONS.has(t.text)) { const p = supValue(toks[k++].text); return fn(t.text, args()) ** p; }
      if (isOp('(') && FUNCTIONS.has(t.text)) return fn(t.text, args());
      if (Object.hasOwn(CONSTANTS, t.text) && !Object.hasOwn(values, t.text)) return CONSTANTS[t.text];
      if (!Object.hasOwn(values, t.text)) throw new Error(`no value for ${t.text} in ${text}`);
      return values[t.text];
    }
    throw new Error(`unexpected ${t.text} in ${text}`);
  };
  const v = conditional();
  if (k !== toks.length) throw new Error(`trailing ${toks[k].text} in ${text}`);
  return v;
}
