/**
 * Markdown `$…$` / `$$…$$` blocks are often written in LaTeX. The common arithmetic subset is rewritten into
 * mathjs syntax **without changing any offset** (every replacement has the length of what it replaces), so
 * spans from the engine still point at the right characters. Anything else is left for the math front end to
 * refuse with its position (e.g. `\frac`, which has no same-length form).
 */
import { lookup } from '../../engine/base/lookup';

const FUNCTIONS = ['sin', 'cos', 'tan', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh', 'exp', 'log', 'ln', 'sqrt', 'max', 'min', 'pi', 'sigma'];
const MAPPED = lookup<string>({ arcsin: 'asin  ', arccos: 'acos  ', arctan: 'atan  ', sigma: 'sigmoid' });

export function latexToMath(text: string): string {
  if (!text.includes('\\') && !/[{}]/.test(text)) return text;
  let out = text.replace(/\\([A-Za-z]+|[,;:! ])/g, (all, name: string) => {
    if (name === 'cdot') return '    *';
    if (name === 'times') return '     *';
    if (name === 'left' || name === 'right') return ' '.repeat(all.length);
    if (/^[,;:! ]$/.test(name)) return '  ';
    if (FUNCTIONS.includes(name)) {
      // `\sigma` is 6 characters and `sigmoid` 7: no same-length form, keep it for a clear refusal.
      const m = MAPPED[name] ?? name;
      return m.length + 1 === all.length ? ` ${m}` : m.length === all.length ? m : all;
    }
    return all;
  });
  // `\sqrt{x}` → ` sqrt(x)`, `x^{2}` → `x^(2)`: braces group like parentheses.
  out = out.replace(/[{}]/g, (b) => (b === '{' ? '(' : ')'));
  return out;
}
