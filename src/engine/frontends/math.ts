import { BackpropError } from '../base/errors';
import type { Assign, Expr, IrOp, Program, TensorOp } from '../ast/ir';
import { LIMITS } from '../base/limits';
import { lookup } from '../base/lookup';
import { LEAKY_RELU_SLOPE } from '../tape/ops';
import { LineIndex, type Span } from '../base/span';
import { parseMathSyntax, type MathNode } from './math-syntax';

/** Math functions the math front end accepts: name → op and the arities it takes. */
const UNARY = lookup<IrOp>({
  sin: 'sin', cos: 'cos', tan: 'tan', asin: 'asin', acos: 'acos', atan: 'atan',
  sinh: 'sinh', cosh: 'cosh', tanh: 'tanh', exp: 'exp', ln: 'log',
  log2: 'log2', log10: 'log10', sqrt: 'sqrt', cbrt: 'cbrt', abs: 'abs', square: 'square',
  sigmoid: 'sigmoid', relu: 'relu', softplus: 'softplus',
});
const NARY = lookup<IrOp>({ max: 'max', min: 'min', hypot: 'hypot' });
const CONSTANTS = lookup<number>({ pi: Math.PI, π: Math.PI, e: Math.E, tau: 2 * Math.PI });
/** Matrix functions: lowered to scalars by tensor.ts. */
const TENSOR_FUNCTIONS = lookup<[TensorOp, number]>({ sum: ['sum', 1], mean: ['mean', 1], dot: ['dot', 2], transpose: ['transpose', 1] });
export const MATH_FUNCTIONS = [...Object.keys(UNARY), 'log', 'pow', 'leakyRelu', ...Object.keys(NARY), ...Object.keys(TENSOR_FUNCTIONS)];
/** Elementwise and transpose operators of mathjs: `.*`, `./`, `.^`, `'`. */
const TENSOR_OPERATORS = lookup<TensorOp>({ dotMultiply: 'emul', dotDivide: 'ediv', dotPow: 'epow', ctranspose: 'transpose', transpose: 'transpose' });

const BINARY_OPERATORS = lookup<IrOp>({ add: 'add', subtract: 'sub', multiply: 'mul', divide: 'div', pow: 'pow' });
/** The name tables above, for the test oracle that reads the same grammar with mathjs (one table, two readers). */
export const MATH_NAMES = { UNARY, NARY, CONSTANTS, TENSOR_FUNCTIONS, TENSOR_OPERATORS, BINARY_OPERATORS } as const;

/** A plain description of a syntax node we refuse, for the error message. */
function describe(node: MathNode): string {
  switch (node.type) {
    case 'OperatorNode':
      return ['<', '>', '<=', '>=', '==', '!='].includes(node.op!) ? `a comparison '${node.op}'` : `operator '${node.op}'`;
    case 'ConstantNode': return typeof node.value === 'string' ? 'a string' : `the constant ${String(node.value)}`;
    case 'ConditionalNode': return "a conditional 'a ? b : c'";
    case 'FunctionAssignmentNode': return 'a function definition';
    case 'AccessorNode': return 'indexing or property access';
    case 'ArrayNode': return 'a matrix or vector';
    case 'ObjectNode': return 'an object';
    case 'RangeNode': return "a range 'a:b'";
    case 'PercentageNode': return "a percentage 'x%'";
    default: return node.type;
  }
}

/** Parses math text (mathjs's syntax, read by math-syntax.ts; never evaluated) into the IR. Throws BackpropError on refusal. */
export function parseMath(text: string): Program {
  if (text.length > LIMITS.maxSourceChars) {
    throw new BackpropError('too-large', `input is ${text.length} characters; the limit is ${LIMITS.maxSourceChars}`);
  }
  const lines = new LineIndex(text);
  if (!text.trim()) throw new BackpropError('no-output', 'nothing to trace: the expression is empty');
  const root = parseMathSyntax(text, (start, end) => lines.span(start, end));
  const spanOf = (node: MathNode): Span => lines.span(node.start, node.end);
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
      const node = top.node;
      // Refused nodes are refused whole: their parts are not converted first.
      const args: MathNode[] =
        node.type === 'OperatorNode' || node.type === 'FunctionNode' || node.type === 'ArrayNode' || node.type === 'ParenthesisNode' ? node.args : [];
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
          out = { kind: 'num', value: node.value as number, span };
          break;
        case 'SymbolNode':
          out = node.name! in CONSTANTS
            ? { kind: 'const', name: node.name!, value: CONSTANTS[node.name!], span }
            : { kind: 'var', name: node.name!, span };
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
          const fn = node.fn!;
          if (fn === 'unaryMinus') out = { kind: 'op', op: 'neg', args: kids, span };
          else if (fn === 'unaryPlus') out = kids[0];
          else if (TENSOR_OPERATORS[fn]) out = { kind: 'op', op: TENSOR_OPERATORS[fn], args: kids, span, label: node.op };
          else if (BINARY_OPERATORS[fn] && kids.length === 2) out = { kind: 'op', op: BINARY_OPERATORS[fn], args: kids, span };
          else refuse(top.node);
          break;
        }
        case 'FunctionNode': {
          const name = node.callee!.name ?? '';
          if (node.callee!.type !== 'SymbolNode') refuse(top.node, 'calling an expression');
          const arity = (ok: boolean, expected: string) => {
            if (!ok) throw new BackpropError('unsupported', `${name}() takes ${expected}, got ${kids.length}`, span);
          };
          if (UNARY[name]) {
            arity(kids.length === 1, '1 argument');
            out = { kind: 'op', op: UNARY[name], args: kids, span, label: name };
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
            out = { kind: 'op', op: NARY[name], args: kids, span, label: name };
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
  const statements: MathNode[] = root.type === 'BlockNode' ? root.args : [root];
  statements.forEach((stmt, i) => {
    const last = i === statements.length - 1;
    if (stmt.type === 'AssignmentNode') {
      const [target, value] = stmt.args;
      if (target.type !== 'SymbolNode' || stmt.indexed) refuse(stmt, 'assignment to something other than a name');
      const name = target.name!;
      if (name in CONSTANTS) refuse(stmt, `assignment to the constant '${name}'`);
      body.push({ kind: 'assign', name, expr: toExpr(value), span: spanOf(stmt), mode: 'assign' });
    } else if (last) {
      result = toExpr(stmt);
    } else {
      refuse(stmt, 'an expression that is not the last statement (its value would be unused)');
    }
  });
  return { lang: 'math', params: [], body, result, span: lines.span(0, text.length) };
}
