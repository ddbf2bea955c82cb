import { create, parseDependencies, type MathNode } from 'mathjs';
import { BackpropError } from '../../src/engine/base/errors';
import type { Assign, Expr, Program } from '../../src/engine/ast/ir';
import { LIMITS } from '../../src/engine/base/limits';
import { LEAKY_RELU_SLOPE } from '../../src/engine/tape/ops';
import { LineIndex, type Span } from '../../src/engine/base/span';
import { MATH_FUNCTIONS, MATH_NAMES } from '../../src/engine/frontends/math';

/**
 * A mathjs instance with its parser only (and the node classes it builds): the math front end never evaluates,
 * so the ~200 other mathjs functions are not created, and requiring the engine stays fast.
 */
const { parse } = create({ parseDependencies });

// The same name tables as the product's reader: the oracle checks the grammar, not a second copy of the tables.
const { UNARY, NARY, CONSTANTS, TENSOR_FUNCTIONS, TENSOR_OPERATORS, BINARY_OPERATORS } = MATH_NAMES;
export { MATH_FUNCTIONS };

/** A plain description of a mathjs node we refuse, for the error message. */
function describe(node: MathNode): string {
  const n = node as MathNode & { op?: string; fn?: unknown; value?: unknown };
  switch (node.type) {
    case 'OperatorNode':
      return ['<', '>', '<=', '>=', '==', '!='].includes(n.op as string) ? `a comparison '${n.op}'` : `operator '${n.op}'`;
    case 'ConstantNode': return typeof n.value === 'string' ? 'a string' : `the constant ${String(n.value)}`;
    case 'ConditionalNode': return "a conditional 'a ? b : c'";
    case 'FunctionAssignmentNode': return 'a function definition';
    case 'AccessorNode': return 'indexing or property access';
    case 'ArrayNode': return 'a matrix or vector';
    case 'ObjectNode': return 'an object';
    case 'RangeNode': return "a range 'a:b'";
    case 'RelationalNode': return 'a comparison';
    default: return node.type;
  }
}

interface Token { text: string; start: number; end: number }

/** Identifier and number tokens in source order: mathjs keeps no positions, so leaves are matched to these. */
function leafTokens(text: string): Token[] {
  const re = /(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([\p{L}_$][\p{L}\p{N}_$]*)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/gu;
  const out: Token[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[3]) {
      // After a name, number or closing bracket a quote is the transpose operator (W1'), not a string.
      if (m[3][0] === "'" && /[\p{L}\p{N}_$)\]']/u.test(text.slice(0, m.index).trimEnd().slice(-1))) re.lastIndex = m.index + 1;
      continue; // strings are refused later; their contents are not leaves
    }
    out.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Children of a mathjs node in source order (the order their text appears). */
function children(node: MathNode): MathNode[] {
  const n = node as any;
  switch (node.type) {
    case 'OperatorNode': return n.args;
    case 'FunctionNode': return [n.fn, ...n.args];
    case 'ParenthesisNode': return [n.content];
    case 'ArrayNode': return n.items;
    case 'BlockNode': return n.blocks.map((b: { node: MathNode }) => b.node);
    case 'AssignmentNode': return [n.object, n.value];
    default: return [];
  }
}

/**
 * Source spans for every mathjs node, computed without recursion: leaves take the position of the matching
 * token; inner nodes cover their children, widened to their parentheses / function name / unary sign.
 */
function computeSpans(root: MathNode, text: string): Map<MathNode, [number, number]> {
  const spans = new Map<MathNode, [number, number]>();
  const tokens = leafTokens(text);
  let next = 0;
  let aligned = true;
  // Post-order with an explicit stack.
  const stack: { node: MathNode; visited: boolean }[] = [{ node: root, visited: false }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const kids = children(top.node);
    if (!top.visited) {
      top.visited = true;
      if (kids.length === 0) {
        stack.pop();
        const n = top.node as any;
        const tok = tokens[next];
        const matches = tok && (top.node.type === 'SymbolNode' ? tok.text === n.name : Number(tok.text) === Number(n.value));
        if (matches && aligned) {
          spans.set(top.node, [tok.start, tok.end]);
          next++;
        } else {
          aligned = false;
          spans.set(top.node, [0, text.length]);
        }
        continue;
      }
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i], visited: false });
      continue;
    }
    stack.pop();
    let start = Infinity;
    let end = -Infinity;
    for (const k of kids) {
      const s = spans.get(k)!;
      if (s[0] < start) start = s[0];
      if (s[1] > end) end = s[1];
    }
    if (aligned) {
      const n = top.node as any;
      const before = (i: number) => { let j = i - 1; while (j >= 0 && /\s/.test(text[j])) j--; return j; };
      const after = (i: number) => { let j = i; while (j < text.length && /\s/.test(text[j])) j++; return j; };
      if (top.node.type === 'ArrayNode') {
        const b = before(start);
        if (text[b] === '[') start = b;
        const a = after(end);
        if (text[a] === ']') end = a + 1;
      } else if (top.node.type === 'OperatorNode' && n.args.length === 1 && (n.fn === 'ctranspose' || n.fn === 'transpose')) {
        const a = after(end);
        if (text[a] === "'") end = a + 1;
      } else if (top.node.type === 'ParenthesisNode' || top.node.type === 'FunctionNode') {
        if (top.node.type === 'ParenthesisNode') {
          const b = before(start);
          if (text[b] === '(') start = b;
        }
        const a = after(end);
        if (text[a] === ')') end = a + 1;
      } else if (top.node.type === 'OperatorNode' && n.args.length === 1) {
        const b = before(start);
        if (text[b] === '-' || text[b] === '+') start = b;
      }
    }
    spans.set(top.node, [start, end]);
  }
  return spans;
}

/** Parses math text (mathjs syntax, never evaluated) into the IR. Throws BackpropError on refusal. */
/** The previous math front end (mathjs's parser and a converter), kept for tests as an oracle. */
export function parseMathWithMathjs(text: string): Program {
  if (text.length > LIMITS.maxSourceChars) {
    throw new BackpropError('too-large', `input is ${text.length} characters; the limit is ${LIMITS.maxSourceChars}`);
  }
  const lines = new LineIndex(text);
  if (!text.trim()) throw new BackpropError('no-output', 'nothing to trace: the expression is empty');
  let root: MathNode;
  try {
    root = parse(text);
  } catch (e) {
    if (e instanceof RangeError) throw e; // too deep: attempt() reports it
    const ch = (e as { char?: number }).char;
    const msg = (e as Error).message.replace(/\s*\(char \d+\)\s*$/, '');
    const at = typeof ch === 'number' ? Math.max(0, Math.min(ch - 1, text.length)) : 0;
    throw new BackpropError('syntax', `syntax error: ${msg}`, lines.span(at, at + 1));
  }
  const spans = computeSpans(root, text);
  const spanOf = (node: MathNode): Span => {
    const s = spans.get(node) ?? [0, text.length];
    return lines.span(s[0], s[1]);
  };
  const refuse = (node: MathNode, what = describe(node)): never => {
    throw new BackpropError('unsupported', `unsupported in math: ${what}`, spanOf(node));
  };

  const toExpr = (root: MathNode): Expr => {
    // Iterative post-order conversion: a 20,000-term sum is a tree 20,000 deep.
    const done = new Map<MathNode, Expr>();
    const stack: { node: MathNode; visited: boolean }[] = [{ node: root, visited: false }];
    let count = 0;
    while (stack.length) {
      const top = stack[stack.length - 1];
      const node = top.node as any;
      const args: MathNode[] =
        node.type === 'OperatorNode' || node.type === 'FunctionNode' ? node.args
        : node.type === 'ArrayNode' ? node.items
        : node.type === 'ParenthesisNode' ? [node.content] : [];
      if (!top.visited) {
        top.visited = true;
        if (++count > LIMITS.maxNodes) throw new BackpropError('too-large', `expression has more than ${LIMITS.maxNodes} parts`);
        for (let i = args.length - 1; i >= 0; i--) stack.push({ node: args[i], visited: false });
        continue;
      }
      stack.pop();
      const span = spanOf(top.node);
      const kids = args.map((a) => done.get(a)!);
      for (const a of args) done.delete(a);
      let out: Expr;
      switch (node.type) {
        case 'ConstantNode':
          if (typeof node.value !== 'number') refuse(top.node);
          out = { kind: 'num', value: node.value, span };
          break;
        case 'SymbolNode':
          out = node.name in CONSTANTS
            ? { kind: 'const', name: node.name, value: CONSTANTS[node.name], span }
            : { kind: 'var', name: node.name, span };
          break;
        case 'ParenthesisNode':
          out = kids[0];
          break;
        case 'ArrayNode':
          // A vector or matrix literal: tensor.ts unrolls it (and checks its shape).
          if (!kids.length) refuse(top.node, 'an empty matrix');
          out = { kind: 'op', op: 'array', args: kids, span };
          break;
        case 'OperatorNode': {
          if (node.fn === 'unaryMinus') out = { kind: 'op', op: 'neg', args: kids, span };
          else if (node.fn === 'unaryPlus') out = kids[0];
          else if (TENSOR_OPERATORS[node.fn]) out = { kind: 'op', op: TENSOR_OPERATORS[node.fn], args: kids, span, label: node.op };
          else if (BINARY_OPERATORS[node.fn] && kids.length === 2) out = { kind: 'op', op: BINARY_OPERATORS[node.fn] as any, args: kids, span };
          else refuse(top.node);
          break;
        }
        case 'FunctionNode': {
          const name: string = node.fn?.name ?? '';
          if (node.fn?.type !== 'SymbolNode') refuse(top.node, 'calling an expression');
          const arity = (ok: boolean, expected: string) => {
            if (!ok) throw new BackpropError('unsupported', `${name}() takes ${expected}, got ${kids.length}`, span);
          };
          if (UNARY[name]) {
            arity(kids.length === 1, '1 argument');
            out = { kind: 'op', op: UNARY[name] as any, args: kids, span, label: name };
          } else if (name === 'log') {
            arity(kids.length === 1 || kids.length === 2, '1 or 2 arguments');
            out = { kind: 'op', op: kids.length === 1 ? 'log' : 'logb', args: kids, span, label: name };
          } else if (name === 'pow') {
            arity(kids.length === 2, '2 arguments');
            out = { kind: 'op', op: 'pow', args: kids, span, label: name };
          } else if (name === 'leakyRelu') {
            arity(kids.length === 1 || kids.length === 2, '1 or 2 arguments');
            const slope: Expr = kids[1] ?? { kind: 'num', value: LEAKY_RELU_SLOPE, span };
            out = { kind: 'op', op: 'leakyRelu', args: [kids[0], slope], span, label: name };
          } else if (TENSOR_FUNCTIONS[name]) {
            const [op, n] = TENSOR_FUNCTIONS[name];
            arity(kids.length === n, n === 1 ? '1 argument' : `${n} arguments`);
            out = { kind: 'op', op, args: kids, span, label: name };
          } else if (NARY[name]) {
            arity(kids.length >= 1, 'at least 1 argument');
            out = { kind: 'op', op: NARY[name] as any, args: kids, span, label: name };
          } else {
            throw new BackpropError('unknown-function',
              `unknown function '${name}' (supported: ${MATH_FUNCTIONS.join(', ')})`, span);
          }
          break;
        }
        default:
          refuse(top.node);
      }
      done.set(top.node, out!);
    }
    return done.get(root)!;
  };

  const body: Assign[] = [];
  let result: Expr | undefined;
  const statements: MathNode[] = root.type === 'BlockNode' ? children(root) : [root];
  statements.forEach((stmt, i) => {
    const last = i === statements.length - 1;
    if (stmt.type === 'AssignmentNode') {
      const a = stmt as any;
      if (a.object.type !== 'SymbolNode' || a.index) refuse(stmt, 'assignment to something other than a name');
      if (a.object.name in CONSTANTS) refuse(stmt, `assignment to the constant '${a.object.name}'`);
      body.push({ kind: 'assign', name: a.object.name, expr: toExpr(a.value), span: spanOf(stmt), mode: 'assign' });
    } else if (last) {
      result = toExpr(stmt);
    } else {
      refuse(stmt, 'an expression that is not the last statement (its value would be unused)');
    }
  });
  return { lang: 'math', params: [], body, result, span: lines.span(0, text.length) };
}
