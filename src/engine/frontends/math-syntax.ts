/**
 * The math front end's parser: mathjs's expression syntax (the subset its parser accepts, with the same precedence
 * and quirks such as implicit multiplication `2x` and `1/2x` = (1/2)·x), read into a small syntax tree with source
 * offsets. Hand-written so the engine carries no mathjs (its factory setup dominated CLI start-up); the tree
 * mirrors mathjs's node types so math.ts converts and refuses exactly as before. Nesting (brackets, calls,
 * assignments, conditionals) is bounded by LIMITS.maxMathNesting; sign and power chains are read with loops.
 */
import { BackpropError } from '../base/errors';
import { LIMITS } from '../base/limits';
import type { Span } from '../base/span';

/** Node types as mathjs names them; the refused ones are kept so the converter can say what they are. */
export type MathNodeType =
  | 'ConstantNode' | 'SymbolNode' | 'OperatorNode' | 'FunctionNode' | 'ParenthesisNode' | 'ArrayNode'
  | 'BlockNode' | 'AssignmentNode' | 'FunctionAssignmentNode' | 'ConditionalNode' | 'AccessorNode'
  | 'ObjectNode' | 'RangeNode' | 'PercentageNode';

export interface MathNode {
  type: MathNodeType;
  /** Source offsets [start, end) of the text this node covers. */
  start: number;
  end: number;
  /** Operands / call arguments / matrix items / parenthesis content / block statements / [target, value]. */
  args: MathNode[];
  /** OperatorNode: the operator as written ('+', '.*', 'not') and mathjs's function name ('add', 'dotMultiply'). */
  op?: string;
  fn?: string;
  /** FunctionNode: what is called. */
  callee?: MathNode;
  /** SymbolNode. */
  name?: string;
  /** ConstantNode: a number, or the string / boolean / null / undefined the converter refuses. */
  value?: number | string | boolean | null;
  /** AssignmentNode: the target is indexed (`A[1] = 2`). */
  indexed?: boolean;
}

type TokenType = 'end' | 'delimiter' | 'number' | 'symbol';

/** Operators of one or more characters (longest match first), as in mathjs. */
const DELIMITERS = new Set([
  ',', '(', ')', '[', ']', '{', '}', '"', "'", ';', '+', '-', '*', '.*', '/', './', '%', '^', '.^', '~', '!', '&', '|',
  '^|', '=', ':', '?', '?.', '??', '==', '!=', '<', '>', '<=', '>=', '<<', '>>', '>>>',
]);
/** Words that are operators: as an operand they are plain names (mathjs's parseSymbol). */
const NAMED_DELIMITERS = new Set(['mod', 'to', 'in', 'and', 'xor', 'or', 'not']);
const WORD_CONSTANTS = new Map<string, boolean | null | undefined>([['true', true], ['false', false], ['null', null], ['undefined', undefined]]);
const NUMERIC_WORDS = new Map([['NaN', NaN], ['Infinity', Infinity]]);

/** Binary operators below addition, loosest first (each level left-associative), with mathjs's function names. */
const LOW_LEVELS: Record<string, string>[] = [
  { or: 'or' },
  { xor: 'xor' },
  { and: 'and' },
  { '|': 'bitOr' },
  { '^|': 'bitXor' },
  { '&': 'bitAnd' },
  { '==': 'equal', '!=': 'unequal', '<': 'smaller', '>': 'larger', '<=': 'smallerEq', '>=': 'largerEq' },
  { '<<': 'leftShift', '>>': 'rightArithShift', '>>>': 'rightLogShift' },
  { to: 'to', in: 'to' },
  { ':': 'range' },
];
const LOW_LEVEL_OF = new Map<string, number>();
LOW_LEVELS.forEach((ops, level) => { for (const op of Object.keys(ops)) LOW_LEVEL_OF.set(op, level); });
const MULTIPLICATIVE: Record<string, string> = { '*': 'multiply', '.*': 'dotMultiply', '/': 'divide', './': 'dotDivide', '%': 'mod', mod: 'mod' };
const UNARY_OPERATORS: Record<string, string> = { '-': 'unaryMinus', '+': 'unaryPlus', '~': 'bitNot', not: 'not' };

const isDigit = (c: string) => c >= '0' && c <= '9';
const LATIN_GREEK = /^[a-zA-Z_$\u00C0-\u02AF\u0370-\u03FF\u2100-\u214F]$/;
const MATH_SYMBOL_LOW = /^[\uDC00-\uDFFF]$/;
const MATH_SYMBOL_HOLES = /^[\uDC55\uDC9D\uDCA0\uDCA1\uDCA3\uDCA4\uDCA7\uDCA8\uDCAD\uDCBA\uDCBC\uDCC4\uDD06\uDD0B\uDD0C\uDD15\uDD1D\uDD3A\uDD3F\uDD45\uDD47-\uDD49\uDD51\uDEA6\uDEA7\uDFCC\uDFCD]$/;
/** A surrogate pair in Mathematical Alphanumeric Symbols (𝑥), as mathjs accepts in names. */
const isMathSymbol = (high: string, low: string) => high === '\uD835' && MATH_SYMBOL_LOW.test(low) && !MATH_SYMBOL_HOLES.test(low);
const hasOwn = (table: object, key: string) => Object.prototype.hasOwnProperty.call(table, key);

/** Parses math text into a syntax tree. Throws BackpropError ('syntax', 'too-deep') with the offset of the problem. */
export function parseMathSyntax(text: string, spanAt: (start: number, end: number) => Span): MathNode {
  let index = 0;
  let token = '';
  let tokenType: TokenType = 'end';
  let tokenStart = 0;
  /** Bracket depth: inside brackets a newline is whitespace, outside it ends a statement. */
  let nestingLevel = 0;
  /** The bracket depth of the conditional whose `:` is expected (then `:` is not a range). */
  let conditionalLevel: number | null = null;
  let depth = 0;

  const fail = (message: string, at = tokenStart): never => {
    const offset = Math.max(0, Math.min(at, text.length));
    throw new BackpropError('syntax', `syntax error: ${message}`, spanAt(offset, offset + 1));
  };
  const enter = () => {
    if (++depth > LIMITS.maxMathNesting) {
      throw new BackpropError('too-deep', `expression is nested too deeply to parse (more than ${LIMITS.maxMathNesting} levels)`,
        spanAt(tokenStart, Math.min(tokenStart + 1, text.length)));
    }
  };
  const leave = () => { depth--; };
  // A carriage return is whitespace: lessons saved with CRLF line ends read like LF ones (the \n still ends a statement).
  const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\u00A0' || (c === '\n' && nestingLevel > 0);
  const isAlpha = (at: number) => {
    const code = text.charCodeAt(at);
    if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code === 36) return true; // a-z A-Z _ $
    if (code < 0xC0 || Number.isNaN(code)) return false;
    const c = text.charAt(at);
    return LATIN_GREEK.test(c) || isMathSymbol(c, text.charAt(at + 1)) || isMathSymbol(text.charAt(at - 1), c);
  };
  const isDecimalMark = (c: string, next: string) => c === '.' && next !== '/' && next !== '*' && next !== '^';

  /** Reads the next token (mathjs's getToken). */
  const nextToken = () => {
    tokenType = 'end';
    token = '';
    for (;;) {
      if (text[index] === '#') while (index < text.length && text[index] !== '\n') index++;
      if (index < text.length && isWhitespace(text[index])) index++;
      else break;
    }
    tokenStart = index;
    if (index >= text.length) { tokenType = 'delimiter'; return; }
    const c1 = text[index];
    if (c1 === '\n' && !nestingLevel) { tokenType = 'delimiter'; token = '\n'; index++; return; }
    if (isDigit(c1) || (c1 === '.' && isDigit(text.charAt(index + 1)))) { readNumber(); return; }
    if (isAlpha(index)) { readName(); return; }
    const c3 = text.substr(index, 3);
    const c2 = text.substr(index, 2);
    if (c3.length === 3 && DELIMITERS.has(c3)) { tokenType = 'delimiter'; token = c3; index += 3; return; }
    // `a?.3:.7` is a conditional, not optional chaining.
    if (c2.length === 2 && DELIMITERS.has(c2) && (c2 !== '?.' || !isDigit(text.charAt(index + 2)))) {
      tokenType = 'delimiter'; token = c2; index += 2; return;
    }
    if (DELIMITERS.has(c1)) { tokenType = 'delimiter'; token = c1; index++; return; }
    if (c1 === '.') { readNumber(); return; }
    fail(`Syntax error in part "${text.slice(index)}"`);
  };

  const readName = () => {
    while (index < text.length && (isAlpha(index) || isDigit(text[index]))) index++;
    token = text.slice(tokenStart, index);
    tokenType = NAMED_DELIMITERS.has(token) ? 'delimiter' : 'symbol';
  };

  const readNumber = () => {
    tokenType = 'number';
    const prefix = text.substr(index, 2);
    if (prefix === '0b' || prefix === '0o' || prefix === '0x') {
      index += 2;
      const more = () => index < text.length && (isAlpha(index) || isDigit(text[index]));
      while (more()) index++;
      if (text[index] === '.') { index++; while (more()) index++; }
      else if (text[index] === 'i') { index++; while (isDigit(text.charAt(index))) index++; }
      token = text.slice(tokenStart, index);
      return;
    }
    if (text[index] === '.') {
      index++;
      if (!isDigit(text.charAt(index))) { tokenType = 'delimiter'; token = '.'; return; }
    } else {
      while (isDigit(text.charAt(index))) index++;
      if (isDecimalMark(text.charAt(index), text.charAt(index + 1))) index++;
    }
    while (isDigit(text.charAt(index))) index++;
    const c = text.charAt(index);
    if (c === 'e' || c === 'E') {
      const next = text.charAt(index + 1);
      if (isDigit(next) || next === '-' || next === '+') {
        index++;
        if (text[index] === '+' || text[index] === '-') index++;
        if (!isDigit(text.charAt(index))) fail(`Digit expected, got "${text.charAt(index)}"`);
        while (isDigit(text.charAt(index))) index++;
        if (isDecimalMark(text.charAt(index), text.charAt(index + 1))) fail(`Digit expected, got "${text.charAt(index)}"`);
      } else if (isDecimalMark(next, text.charAt(index + 2))) {
        fail(`Digit expected, got "${next}"`);
      }
    }
    token = text.slice(tokenStart, index);
  };

  /** The current token, read through a call so TypeScript does not narrow it across the calls that advance it. */
  const current = (): string => token;
  const kind = (): TokenType => tokenType;
  const nextTokenSkipNewline = () => { do nextToken(); while (token === '\n'); };
  type Saved = [number, string, TokenType, number];
  const save = (): Saved => [index, token, tokenType, tokenStart];
  const restore = (s: Saved) => { [index, token, tokenType, tokenStart] = s; };

  const node = (type: MathNodeType, start: number, end: number, args: MathNode[] = [], extra?: Partial<MathNode>): MathNode =>
    (extra ? Object.assign({ type, start, end, args }, extra) : { type, start, end, args });
  const operator = (op: string, fn: string, args: MathNode[], start = args[0].start, end = args[args.length - 1].end): MathNode =>
    node('OperatorNode', start, end, args, { op, fn });
  /** End of the previous token (what the parser has consumed so far). */
  let consumedEnd = 0;
  const advance = () => { consumedEnd = index; nextToken(); };
  const advanceSkipNewline = () => { consumedEnd = index; nextTokenSkipNewline(); };

  const parseBlock = (): MathNode => {
    const blocks: MathNode[] = [];
    let statement: MathNode | undefined;
    if (token !== '' && token !== '\n' && token !== ';') statement = parseAssignment();
    while (token === '\n' || token === ';') {
      if (blocks.length === 0 && statement) blocks.push(statement);
      advance();
      if (token !== '\n' && token !== ';' && token !== '') {
        statement = parseAssignment();
        blocks.push(statement);
      }
    }
    if (blocks.length) return node('BlockNode', blocks[0].start, blocks[blocks.length - 1].end, blocks);
    return statement ?? node('ConstantNode', 0, text.length, [], { value: undefined });
  };

  const parseAssignment = (): MathNode => {
    enter();
    const target = parseConditional();
    if (token === '=') {
      const valid = target.type === 'SymbolNode' || target.type === 'AccessorNode'
        || (target.type === 'FunctionNode' && target.callee!.type === 'SymbolNode' && target.args.every((a) => a.type === 'SymbolNode'));
      if (!valid) fail('Invalid left hand side of assignment operator =');
      advanceSkipNewline();
      const value = parseAssignment();
      leave();
      const type = target.type === 'FunctionNode' ? 'FunctionAssignmentNode' : 'AssignmentNode';
      return node(type, target.start, value.end, [target, value], { indexed: target.type === 'AccessorNode' });
    }
    leave();
    return target;
  };

  const parseConditional = (): MathNode => {
    let result = parseLow(0);
    while (token === '?') {
      const previous = conditionalLevel;
      conditionalLevel = nestingLevel;
      advanceSkipNewline();
      const whenTrue = parseAssignment();
      if (current() !== ':') fail('False part of conditional expression expected');
      conditionalLevel = null;
      advanceSkipNewline();
      const whenFalse = parseAssignment();
      result = node('ConditionalNode', result.start, whenFalse.end, [result, whenTrue, whenFalse]);
      conditionalLevel = previous;
    }
    return result;
  };

  /** The operator levels below addition (all refused by the converter), by precedence climbing. */
  const parseLow = (minLevel: number): MathNode => {
    // `:x` is a range from 1 in mathjs; `x:` (before a closing bracket, comma or the end) one up to `end`.
    const rangeEnds = () => [')', ']', ',', ''].includes(current());
    let left = current() === ':' && conditionalLevel !== nestingLevel ? node('ConstantNode', tokenStart, tokenStart, [], { value: 1 }) : parseAddSubtract();
    for (;;) {
      const level = LOW_LEVEL_OF.get(token);
      if (level === undefined || level < minLevel) return left;
      if (token === ':' && conditionalLevel === nestingLevel) return left; // the conditional's ':'
      const op = token;
      advanceSkipNewline();
      if (op === ':' && rangeEnds()) { left = node('RangeNode', left.start, consumedEnd, [left]); continue; }
      enter();
      const right = parseLow(level + 1);
      leave();
      left = op === ':' ? node('RangeNode', left.start, right.end, [left, right]) : operator(op, LOW_LEVELS[level][op], [left, right]);
    }
  };

  const parseAddSubtract = (): MathNode => {
    let left = parseMultiplyDivide();
    while (token === '+' || token === '-') {
      const op = token;
      advanceSkipNewline();
      const right = parseMultiplyDivide();
      left = operator(op, op === '+' ? 'add' : 'subtract', [left, right]);
    }
    return left;
  };

  const parseMultiplyDivide = (): MathNode => {
    let left = parseImplicitMultiplication();
    while (hasOwn(MULTIPLICATIVE, token)) {
      const op = token;
      const at = tokenStart;
      advanceSkipNewline();
      // `x%` with nothing after it is mathjs's percentage (x/100); refused, so no look-ahead parse is needed.
      if (op === '%' && !startsOperand()) {
        left = node('PercentageNode', left.start, at + 1, [left]);
        continue;
      }
      left = operator(op, MULTIPLICATIVE[op], [left, parseImplicitMultiplication()]);
    }
    return left;
  };

  const startsOperand = () => tokenType === 'number' || tokenType === 'symbol' || NAMED_DELIMITERS.has(token)
    || ['(', '[', '{', '"', "'", '-', '+', '~'].includes(token);

  const parseImplicitMultiplication = (): MathNode => {
    let left = parseRule2();
    let last = left;
    for (;;) {
      const implicit = tokenType === 'symbol'
        || (tokenType === 'number' && last.type !== 'ConstantNode' && (last.type !== 'OperatorNode' || last.op === '!'))
        || token === '(';
      if (!implicit) return left;
      last = parseRule2();
      left = operator('*', 'multiply', [left, last]);
    }
  };

  const isConstant = (n: MathNode) => n.type === 'ConstantNode';
  /** mathjs's rule 2: `1/2x` is (1/2)·x — a number divided by a number directly followed by a name or '('. */
  const parseRule2 = (): MathNode => {
    let left = parseUnary();
    let last = left;
    while (token === '/' && (isConstant(last) || (last.type === 'OperatorNode' && last.args.length === 1 && isConstant(last.args[0]) && '-+~'.includes(last.op!)))) {
      const beforeSlash = save();
      nextTokenSkipNewline();
      if (tokenType !== 'number') { restore(beforeSlash); break; }
      const atNumber = save();
      nextTokenSkipNewline();
      if (!(kind() === 'symbol' || current() === '(' || current() === 'in')) { restore(beforeSlash); break; }
      restore(atNumber);
      last = parseUnary();
      left = operator('/', 'divide', [left, last]);
    }
    return left;
  };

  /** Signs, then an operand, then `^ unary` — right-associative — read with a loop instead of recursion. */
  const parseUnary = (): MathNode => {
    interface Pending { signs: { op: string; start: number }[]; base?: MathNode; powOp?: string }
    const pending: Pending[] = [];
    let result: MathNode;
    for (;;) {
      const signs: Pending['signs'] = [];
      while (hasOwn(UNARY_OPERATORS, token)) {
        signs.push({ op: token, start: tokenStart });
        advanceSkipNewline();
      }
      const base = parsePostfix();
      if (token === '^' || token === '.^') {
        pending.push({ signs, base, powOp: token });
        advanceSkipNewline();
        continue;
      }
      result = withSigns(signs, base);
      break;
    }
    for (let i = pending.length - 1; i >= 0; i--) {
      const { signs, base, powOp } = pending[i];
      result = withSigns(signs, operator(powOp!, powOp === '^' ? 'pow' : 'dotPow', [base!, result]));
    }
    return result;
  };
  const withSigns = (signs: { op: string; start: number }[], operand: MathNode): MathNode => {
    for (let i = signs.length - 1; i >= 0; i--) operand = operator(signs[i].op, UNARY_OPERATORS[signs[i].op], [operand], signs[i].start);
    return operand;
  };

  /** `??`, then postfix `!` and `'` (transpose) with accessors after them. */
  const parsePostfix = (): MathNode => {
    let left = parseLeftHand();
    while (token === '??') {
      advanceSkipNewline();
      left = operator('??', 'nullish', [left, parseLeftHand()]);
    }
    return left;
  };
  const parseLeftHand = (): MathNode => {
    let left = parsePrimary();
    while (token === '!' || token === "'") {
      const op = token;
      const end = index;
      advance();
      left = parseAccessors(operator(op, op === '!' ? 'factorial' : 'ctranspose', [left], left.start, end));
    }
    return left;
  };

  /** Calls `f(x)`, indexing `a[1]`, properties `a.b` and optional chaining after an operand. */
  const parseAccessors = (target: MathNode): MathNode => {
    for (;;) {
      let optional = false;
      if (token === '?.') { optional = true; advance(); }
      if (!optional && token !== '(' && token !== '[' && token !== '.') return target;
      if (token === '(') {
        // After anything but a name, `(` is implicit multiplication: `(a)(b)`, `f(x)(y)`.
        if (!optional && target.type !== 'SymbolNode' && target.type !== 'AccessorNode') return target;
        const args = parseList(')', 'Parenthesis ) expected');
        target = node(optional ? 'AccessorNode' : 'FunctionNode', target.start, consumedEnd, args, { callee: target });
      } else if (token === '[') {
        parseList(']', 'Parenthesis ] expected');
        target = node('AccessorNode', target.start, consumedEnd, [target]);
      } else {
        if (!optional) advance();
        if (tokenType !== 'symbol' && !NAMED_DELIMITERS.has(token)) fail(`Property name expected after ${optional ? 'optional chain' : 'dot'}`);
        advance();
        target = node('AccessorNode', target.start, consumedEnd, [target]);
      }
    }
  };

  /** `(a, b)` or `[a, b]` after an operand: the current token is the opening bracket. */
  const parseList = (close: string, expected: string): MathNode[] => {
    enter();
    nestingLevel++;
    advance();
    const items: MathNode[] = [];
    if (token !== close) {
      items.push(parseAssignment());
      while (token === ',') { advance(); items.push(parseAssignment()); }
    }
    if (token !== close) fail(expected);
    nestingLevel--;
    advance();
    leave();
    return items;
  };

  const parsePrimary = (): MathNode => {
    const start = tokenStart;
    if (tokenType === 'symbol' || (tokenType === 'delimiter' && NAMED_DELIMITERS.has(token))) {
      const name = token;
      advance();
      const end = consumedEnd;
      const leaf = WORD_CONSTANTS.has(name) ? node('ConstantNode', start, end, [], { value: WORD_CONSTANTS.get(name) })
        : NUMERIC_WORDS.has(name) ? node('ConstantNode', start, end, [], { value: NUMERIC_WORDS.get(name) })
        : node('SymbolNode', start, end, [], { name });
      return parseAccessors(leaf);
    }
    if (token === '"' || token === "'") return parseAccessors(node('ConstantNode', start, readString(token), [], { value: 'string' }));
    if (token === '[') return parseAccessors(parseMatrix());
    if (token === '{') return parseAccessors(parseObject());
    if (tokenType === 'number') {
      const value = Number(token);
      if (Number.isNaN(value)) fail(`unsupported number "${token}"`);
      advance();
      return node('ConstantNode', start, consumedEnd, [], { value });
    }
    if (token === '(') {
      enter();
      nestingLevel++;
      advance();
      const content = parseAssignment();
      if (current() !== ')') fail('Parenthesis ) expected');
      nestingLevel--;
      advance();
      leave();
      return parseAccessors(node('ParenthesisNode', start, consumedEnd, [content]));
    }
    return fail(token === '' ? 'Unexpected end of expression' : 'Value expected');
  };

  /** A string literal (refused later); the current token is its opening quote. Returns its end offset. */
  const readString = (quote: string): number => {
    while (index < text.length && text[index] !== quote) {
      if (text[index] === '\\') {
        const escaped = text.charAt(index + 1);
        if ('"\'\\/bfnrt'.includes(escaped) && escaped !== '') index += 2;
        else if (escaped === 'u' && /^[0-9A-Fa-f]{4}$/.test(text.slice(index + 2, index + 6))) index += 6;
        else fail(escaped === 'u' ? `Invalid unicode character \\u${text.slice(index + 2, index + 6)}` : `Bad escape character \\${escaped}`, index + 1);
      } else {
        index++;
      }
    }
    nextToken();
    if (token !== quote) fail(`End of string ${quote} expected`);
    advance();
    return consumedEnd;
  };

  /** mathjs's rule for the span of a row without brackets: widened to a bracket right before / after it. */
  const rowNode = (items: MathNode[]): MathNode => {
    let start = items[0].start;
    let end = items[items.length - 1].end;
    let before = start - 1;
    while (before >= 0 && /\s/.test(text[before])) before--;
    if (text[before] === '[') start = before;
    let after = end;
    while (after < text.length && /\s/.test(text[after])) after++;
    if (text[after] === ']') end = after + 1;
    return node('ArrayNode', start, end, items);
  };

  /** `[1, 2]`, `[1, 2; 3, 4]` (rows), `[[1, 2], [3, 4]]`, `[]`. */
  const parseMatrix = (): MathNode => {
    const start = tokenStart;
    enter();
    nestingLevel++;
    advance();
    let array: MathNode;
    if (token === ']') {
      nestingLevel--;
      advance();
      array = node('ArrayNode', start, consumedEnd, []);
    } else {
      const rows = [parseRow()];
      const isMatrix = token === ';';
      while (token === ';') {
        advance();
        if (current() !== ']') rows.push(parseRow());
      }
      if (token !== ']') fail('End of matrix ] expected');
      nestingLevel--;
      advance();
      if (isMatrix) {
        const columns = rows[0].args.length;
        for (const row of rows) if (row.args.length !== columns) fail(`Column dimensions mismatch (${row.args.length} !== ${columns})`);
        array = rowNode(rows);
      } else {
        array = rows[0];
      }
    }
    leave();
    return array;
  };
  const parseRow = (): MathNode => {
    const items = [parseAssignment()];
    while (token === ',') {
      advance();
      if (current() !== ']' && current() !== ';') items.push(parseAssignment());
    }
    return rowNode(items);
  };

  /** `{a: 1}`: refused later, parsed only to find where it ends. */
  const parseObject = (): MathNode => {
    const start = tokenStart;
    enter();
    nestingLevel++;
    do {
      advance();
      if (token !== '}') {
        if (token === '"' || token === "'") readString(token);
        else if (tokenType === 'symbol' || NAMED_DELIMITERS.has(token)) advance();
        else fail('Symbol or string expected as object key');
        if (token !== ':') fail('Colon : expected after object key');
        advance();
        parseAssignment();
      }
    } while (token === ',');
    if (token !== '}') fail('Comma , or bracket } expected after object value');
    nestingLevel--;
    advance();
    leave();
    return node('ObjectNode', start, consumedEnd);
  };

  nextToken();
  const root = parseBlock();
  if (current() !== '') fail(kind() === 'delimiter' ? `Unexpected operator ${current()}` : `Unexpected part "${current()}"`);
  return root;
}
