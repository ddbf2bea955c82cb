import * as ts from 'typescript';
import { BackpropError } from '../base/errors';
import type { LineIndex, Span } from '../base/span';
import type { BuiltinName, ClassDef, CompareOp, Expression, FunctionDef, Param, ProgramAst, Statement, Target } from '../ast/program';
import type { OpName } from '../tape/ops';
import { GLOBAL_CONSTANTS, MATH_CONSTANTS, MATH_FUNCTIONS_TS, MATH_NARY, MATH_UNARY, mathMemberOp, TS_TENSOR_FUNCTIONS } from './ts-names';

/*
 * TypeScript with functions, loops, branches, arrays, objects and classes: the compiler's syntax tree (nothing is
 * run) converted into the interpreter's common language (ast/program.ts). typescript.ts sends a program here when
 * `needsInterpreter` says it goes beyond straight-line code, so straight-line programs keep their IR and graphs.
 *
 * Accepted, beyond the straight-line subset: function declarations, arrow functions and function expressions
 * (called any number of times, nested, recursive); `return`; `if`/`else`, `c ? a : b`, comparisons, `&&`, `||`,
 * `!`, `true`/`false`; `for (init; test; update)`, `for (const x of xs)`, `while`, `break`, `continue`; `i++`,
 * `i--` as statements; array literals, `xs[i]`, `xs.length`, `xs.push(v)`, `xs.map/forEach/filter/reduce(f)`;
 * object literals and `o.f`; classes with fields, a constructor and methods, `new C(…)`, `this.f`. Anything else
 * is refused with what it is and where.
 */

const ARITHMETIC: Partial<Record<ts.SyntaxKind, OpName>> = {
  [ts.SyntaxKind.PlusToken]: 'add', [ts.SyntaxKind.MinusToken]: 'sub', [ts.SyntaxKind.AsteriskToken]: 'mul',
  [ts.SyntaxKind.SlashToken]: 'div', [ts.SyntaxKind.AsteriskAsteriskToken]: 'pow',
};
const COMPOUND: Partial<Record<ts.SyntaxKind, 'add' | 'sub' | 'mul' | 'div' | 'pow'>> = {
  [ts.SyntaxKind.PlusEqualsToken]: 'add', [ts.SyntaxKind.MinusEqualsToken]: 'sub', [ts.SyntaxKind.AsteriskEqualsToken]: 'mul',
  [ts.SyntaxKind.SlashEqualsToken]: 'div', [ts.SyntaxKind.AsteriskAsteriskEqualsToken]: 'pow',
};
const COMPARE: Partial<Record<ts.SyntaxKind, CompareOp>> = {
  [ts.SyntaxKind.LessThanToken]: '<', [ts.SyntaxKind.LessThanEqualsToken]: '<=', [ts.SyntaxKind.GreaterThanToken]: '>',
  [ts.SyntaxKind.GreaterThanEqualsToken]: '>=', [ts.SyntaxKind.EqualsEqualsEqualsToken]: '==', [ts.SyntaxKind.EqualsEqualsToken]: '==',
  [ts.SyntaxKind.ExclamationEqualsEqualsToken]: '!=', [ts.SyntaxKind.ExclamationEqualsToken]: '!=',
};
const ARRAY_METHODS: Readonly<Record<string, BuiltinName>> = { push: 'push', map: 'map', forEach: 'forEach', filter: 'filter', reduce: 'reduce' };

function unwrap(e: ts.Expression): ts.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isTypeAssertionExpression(e)
      || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
    else return e;
  }
}

/**
 * True when the program goes beyond the straight-line subset into what only the interpreter runs: statements
 * other than declarations, assignments and one final expression/return, or expressions other than arithmetic,
 * Math.*, the matrix helpers and array literals. `selected` is the function the whole selection is, if any.
 */
export function needsInterpreter(statements: readonly ts.Statement[], selected: ts.Node | undefined): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    switch (node.kind) {
      case ts.SyntaxKind.IfStatement: case ts.SyntaxKind.ForStatement: case ts.SyntaxKind.ForOfStatement:
      case ts.SyntaxKind.WhileStatement: case ts.SyntaxKind.BreakStatement: case ts.SyntaxKind.ContinueStatement:
      case ts.SyntaxKind.ClassDeclaration: case ts.SyntaxKind.ElementAccessExpression: case ts.SyntaxKind.ObjectLiteralExpression:
      case ts.SyntaxKind.ConditionalExpression: case ts.SyntaxKind.NewExpression: case ts.SyntaxKind.ThisKeyword:
      case ts.SyntaxKind.TrueKeyword: case ts.SyntaxKind.FalseKeyword:
        found = true;
        return;
      case ts.SyntaxKind.FunctionDeclaration: case ts.SyntaxKind.ArrowFunction: case ts.SyntaxKind.FunctionExpression:
        if (node !== selected) { found = true; return; }
        break;
      case ts.SyntaxKind.Block:
        if (node.parent && !ts.isFunctionLike(node.parent)) { found = true; return; }
        break;
      case ts.SyntaxKind.PrefixUnaryExpression: {
        const op = (node as ts.PrefixUnaryExpression).operator;
        if (op === ts.SyntaxKind.ExclamationToken) { found = true; return; }
        if ((op === ts.SyntaxKind.PlusPlusToken || op === ts.SyntaxKind.MinusMinusToken) && ts.isExpressionStatement(node.parent)) { found = true; return; }
        break;
      }
      case ts.SyntaxKind.PostfixUnaryExpression:
        if (ts.isExpressionStatement(node.parent)) { found = true; return; }
        break;
      case ts.SyntaxKind.BinaryExpression: {
        const k = (node as ts.BinaryExpression).operatorToken.kind;
        if (COMPARE[k] || k === ts.SyntaxKind.AmpersandAmpersandToken || k === ts.SyntaxKind.BarBarToken) { found = true; return; }
        break;
      }
      case ts.SyntaxKind.PropertyAccessExpression: {
        const p = node as ts.PropertyAccessExpression;
        if (!(ts.isIdentifier(p.expression) && p.expression.text === 'Math')) { found = true; return; }
        break;
      }
      case ts.SyntaxKind.CallExpression: {
        const callee = (node as ts.CallExpression).expression;
        const mathCall = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'Math';
        if (!mathCall && !(ts.isIdentifier(callee) && Object.hasOwn(TS_TENSOR_FUNCTIONS, callee.text))) { found = true; return; }
        break;
      }
      case ts.SyntaxKind.ReturnStatement: {
        // A `return` that is not the last statement of the program or of the selected function's body.
        const list = ts.isBlock(node.parent) || ts.isSourceFile(node.parent) ? node.parent.statements : undefined;
        if (!list || list[list.length - 1] !== node) { found = true; return; }
        break;
      }
      default:
        break;
    }
    ts.forEachChild(node, (child) => { stack.push(child); });
  };
  // An explicit stack: a 20,000-term sum is a tree 20,000 deep.
  const stack: ts.Node[] = [...statements].reverse();
  while (stack.length && !found) visit(stack.pop()!);
  return found;
}

/** Converts a program (or the selected function `fn`) into the common language. Throws BackpropError on refusal. */
export function convertProgram(sf: ts.SourceFile, text: string, lines: LineIndex,
  statements: readonly ts.Statement[], fn: ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | undefined): ProgramAst {
  const spanOf = (node: ts.Node): Span => lines.span(node.getStart(sf), node.getEnd());
  const refuse = (node: ts.Node, what: string): never => {
    throw new BackpropError('unsupported', `unsupported in TypeScript: ${what}`, spanOf(node));
  };
  const snippet = (node: ts.Node): string => {
    const s = node.getText(sf).replace(/\s+/g, ' ');
    return s.length > 40 ? `${s.slice(0, 37)}…` : s;
  };
  const source = (node: ts.Node): string => node.getText(sf).replace(/\s+/g, ' ');

  // Names the program declares itself: they win over the matrix helpers (`function sum(…)`).
  const declared = new Set<string>();
  const collect = (node: ts.Node): void => {
    if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name) declared.add(node.name.text);
    if ((ts.isVariableDeclaration(node) || ts.isParameter(node)) && ts.isIdentifier(node.name)) declared.add(node.name.text);
    ts.forEachChild(node, collect);
  };
  statements.forEach(collect);

  const num = (value: number, span: Span): Expression => ({ kind: 'num', value, span });
  // Block scopes as TypeScript has them, for the refusals straight-line code gives too: redeclaring a name in one
  // scope, assigning to a const. (Reading before a declaration is the interpreter's "no value" error.)
  type Kind = 'const' | 'let' | 'param' | 'function' | 'class';
  const scopes: Map<string, { kind: Kind; span: Span }>[] = [new Map()];
  const declareName = (id: ts.Identifier, kind: Kind): void => {
    const top = scopes[scopes.length - 1];
    const prior = top.get(id.text);
    if (prior && !(prior.kind === 'function' && kind === 'function')) {
      refuse(id, `redeclaring '${id.text}' (already declared at ${prior.span.line}:${prior.span.col}; assign to it instead)`);
    }
    top.set(id.text, { kind, span: spanOf(id) });
  };
  const declareNames = (node: ts.BindingName, kind: Kind): void => {
    if (ts.isIdentifier(node)) declareName(node, kind);
    else for (const e of node.elements) if (!ts.isOmittedExpression(e)) declareNames(e.name, kind);
  };
  const kindOf = (name: string): Kind | undefined => {
    for (let i = scopes.length - 1; i >= 0; i--) { const b = scopes[i].get(name); if (b) return b.kind; }
    return undefined;
  };
  const scoped = <T>(fn: () => T): T => {
    scopes.push(new Map());
    try { return fn(); } finally { scopes.pop(); }
  };
  const checkAssignable = (t: Target): void => {
    if (t.kind === 'tuple') { t.items.forEach(checkAssignable); return; }
    if (t.kind === 'name' && kindOf(t.name) === 'const') {
      throw new BackpropError('unsupported', `unsupported in TypeScript: assignment to the constant '${t.name}' (declare it with let)`, t.span);
    }
  };
  /** Inside a class's constructor, field initializers or methods, where `this` is the instance. */
  let inMethod = false;

  const mathCall = (call: ts.CallExpression, member: string): Expression => {
    const span = spanOf(call);
    const label = `Math.${member}`;
    const op = mathMemberOp(member, call.arguments.length, span);
    if (op === 'random') return refuse(call, 'Math.random() (a random number is neither deterministic nor differentiable)');
    return { kind: 'op', op: op as Exclude<OpName, 'input' | 'const'>, args: args(call.arguments), span, label };
  };

  const args = (list: readonly ts.Expression[]): Expression[] => list.map((a) => {
    if (ts.isSpreadElement(a)) refuse(a, `spread arguments '${snippet(a)}'`);
    return expr(a);
  });

  const expr = (node: ts.Expression): Expression => {
    const span = spanOf(node);
    switch (node.kind) {
      case ts.SyntaxKind.NumericLiteral: return num(Number((node as ts.NumericLiteral).text), span);
      case ts.SyntaxKind.Identifier: {
        const name = (node as ts.Identifier).text;
        if (name in GLOBAL_CONSTANTS && !declared.has(name)) return { kind: 'const', name, value: GLOBAL_CONSTANTS[name], span };
        if (name === 'undefined') return { kind: 'none', span };
        if (name === 'Math') return refuse(node, "'Math' by itself (use Math.f(…), Math.PI or Math.E)");
        return { kind: 'var', name, span };
      }
      case ts.SyntaxKind.ParenthesizedExpression: case ts.SyntaxKind.AsExpression: case ts.SyntaxKind.TypeAssertionExpression:
      case ts.SyntaxKind.NonNullExpression: case ts.SyntaxKind.SatisfiesExpression:
        return expr(unwrap(node));
      case ts.SyntaxKind.TrueKeyword: return { kind: 'bool', value: true, span };
      case ts.SyntaxKind.FalseKeyword: return { kind: 'bool', value: false, span };
      case ts.SyntaxKind.NullKeyword: return { kind: 'none', span };
      case ts.SyntaxKind.ThisKeyword:
        if (!inMethod) return refuse(node, "'this' outside a class's constructor or methods");
        return { kind: 'var', name: 'this', span };
      case ts.SyntaxKind.PrefixUnaryExpression: {
        const u = node as ts.PrefixUnaryExpression;
        if (u.operator === ts.SyntaxKind.MinusToken) return { kind: 'op', op: 'neg', args: [expr(u.operand)], span };
        if (u.operator === ts.SyntaxKind.PlusToken) return expr(u.operand);
        if (u.operator === ts.SyntaxKind.ExclamationToken) return { kind: 'not', arg: expr(u.operand), span };
        if (u.operator === ts.SyntaxKind.PlusPlusToken || u.operator === ts.SyntaxKind.MinusMinusToken) {
          return refuse(node, `increment/decrement inside an expression '${snippet(node)}' (write it as its own statement)`);
        }
        return refuse(node, `operator '${ts.tokenToString(u.operator)}'`);
      }
      case ts.SyntaxKind.PostfixUnaryExpression:
        return refuse(node, `increment/decrement inside an expression '${snippet(node)}' (write it as its own statement)`);
      case ts.SyntaxKind.BinaryExpression: {
        const b = node as ts.BinaryExpression;
        const k = b.operatorToken.kind;
        const op = ARITHMETIC[k];
        if (op) return { kind: 'op', op: op as Exclude<OpName, 'input' | 'const'>, args: [expr(b.left), expr(b.right)], span };
        const cmp = COMPARE[k];
        if (cmp) return { kind: 'compare', ops: [cmp], operands: [expr(b.left), expr(b.right)], span };
        if (k === ts.SyntaxKind.AmpersandAmpersandToken) return { kind: 'logical', op: 'and', left: expr(b.left), right: expr(b.right), span };
        if (k === ts.SyntaxKind.BarBarToken) return { kind: 'logical', op: 'or', left: expr(b.left), right: expr(b.right), span };
        if (k >= ts.SyntaxKind.FirstAssignment && k <= ts.SyntaxKind.LastAssignment) {
          return refuse(node, `assignment inside an expression '${snippet(node)}' (assign in its own statement)`);
        }
        if (k === ts.SyntaxKind.PercentToken) return refuse(b.operatorToken, "the remainder operator '%'");
        return refuse(b.operatorToken, `operator '${ts.tokenToString(k)}'`);
      }
      case ts.SyntaxKind.ConditionalExpression: {
        const c = node as ts.ConditionalExpression;
        return { kind: 'cond', test: expr(c.condition), then: expr(c.whenTrue), else: expr(c.whenFalse), condition: source(c.condition), span };
      }
      case ts.SyntaxKind.CallExpression: return call(node as ts.CallExpression);
      case ts.SyntaxKind.NewExpression: {
        const n = node as ts.NewExpression;
        if (!ts.isIdentifier(n.expression)) return refuse(node, `'new' of '${snippet(n.expression)}' (only classes declared here)`);
        if (!declared.has(n.expression.text)) return refuse(node, `'new ${n.expression.text}' (only classes declared in the selection can be constructed)`);
        return { kind: 'call', callee: expr(n.expression), args: args(n.arguments ?? []), span };
      }
      case ts.SyntaxKind.PropertyAccessExpression: {
        const p = node as ts.PropertyAccessExpression;
        if (p.questionDotToken) return refuse(node, `optional chaining '${snippet(node)}'`);
        if (!ts.isIdentifier(p.name)) return refuse(p.name, `private name '${snippet(p.name)}'`);
        const member = p.name.text;
        if (ts.isIdentifier(p.expression) && p.expression.text === 'Math' && !declared.has('Math')) {
          if (member in MATH_CONSTANTS) return { kind: 'const', name: `Math.${member}`, value: MATH_CONSTANTS[member], span };
          if (MATH_UNARY[member] || MATH_NARY[member] || member === 'pow') return refuse(node, `'Math.${member}' without calling it`);
          throw new BackpropError('unknown-function', `unknown Math member 'Math.${member}' (supported: Math.PI, Math.E, ${MATH_FUNCTIONS_TS.join(', ')})`, span);
        }
        if (member === 'length') return { kind: 'builtin', name: 'len', args: [expr(p.expression)], span };
        // A name the selection does not declare holds a given number or array: it has no members but length.
        const root = rootName(p.expression);
        if (root !== undefined && root !== 'this' && !declared.has(root)) {
          return refuse(node, `property access '${snippet(node)}' (only Math.*, .length and the selection's own objects)`);
        }
        return { kind: 'member', object: expr(p.expression), name: member, span };
      }
      case ts.SyntaxKind.ElementAccessExpression: {
        const a = node as ts.ElementAccessExpression;
        if (a.questionDotToken) return refuse(node, `optional chaining '${snippet(node)}'`);
        return { kind: 'index', object: expr(a.expression), index: expr(a.argumentExpression), span };
      }
      case ts.SyntaxKind.ArrayLiteralExpression: {
        const items = (node as ts.ArrayLiteralExpression).elements;
        for (const e of items) {
          if (ts.isSpreadElement(e)) refuse(e, `spread '${snippet(e)}'`);
          if (ts.isOmittedExpression(e)) refuse(node, 'an array with a hole');
        }
        return { kind: 'list', items: items.map(expr), span };
      }
      case ts.SyntaxKind.ObjectLiteralExpression: {
        const fields: Extract<Expression, { kind: 'record' }>['fields'] = [];
        for (const p of (node as ts.ObjectLiteralExpression).properties) {
          if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isNumericLiteral(p.name))) {
            fields.push({ name: p.name.text, value: expr(p.initializer), span: spanOf(p) });
          } else if (ts.isShorthandPropertyAssignment(p) && !p.objectAssignmentInitializer) {
            fields.push({ name: p.name.text, value: expr(p.name), span: spanOf(p) });
          } else {
            refuse(p, `this kind of object member '${snippet(p)}' (write name: value)`);
          }
        }
        return { kind: 'record', fields, span };
      }
      case ts.SyntaxKind.ArrowFunction: case ts.SyntaxKind.FunctionExpression: {
        const f = node as ts.ArrowFunction | ts.FunctionExpression;
        const name = ts.isFunctionExpression(f) && f.name ? f.name.text : ts.isVariableDeclaration(f.parent) && ts.isIdentifier(f.parent.name) ? f.parent.name.text : 'arrow';
        return { kind: 'lambda', fn: functionDef(f, name), span };
      }
      case ts.SyntaxKind.StringLiteral: case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      case ts.SyntaxKind.TemplateExpression: case ts.SyntaxKind.TaggedTemplateExpression:
        return refuse(node, `a string '${snippet(node)}' (only numbers are traced)`);
      case ts.SyntaxKind.BigIntLiteral: return refuse(node, `a BigInt literal '${snippet(node)}'`);
      case ts.SyntaxKind.RegularExpressionLiteral: return refuse(node, 'a regular expression');
      case ts.SyntaxKind.SuperKeyword: return refuse(node, "'super'");
      case ts.SyntaxKind.AwaitExpression: return refuse(node, "'await'");
      case ts.SyntaxKind.YieldExpression: return refuse(node, "'yield'");
      case ts.SyntaxKind.TypeOfExpression: return refuse(node, "'typeof'");
      case ts.SyntaxKind.DeleteExpression: return refuse(node, "'delete'");
      case ts.SyntaxKind.VoidExpression: return refuse(node, "'void'");
      case ts.SyntaxKind.ClassExpression: return refuse(node, 'a class expression (declare the class with a name)');
      case ts.SyntaxKind.SpreadElement: return refuse(node, `spread '${snippet(node)}'`);
      default: return refuse(node, `${ts.SyntaxKind[node.kind]} '${snippet(node)}'`);
    }
  };

  const call = (c: ts.CallExpression): Expression => {
    const span = spanOf(c);
    const callee = unwrap(c.expression);
    if (c.questionDotToken) return refuse(c, `optional chaining '${snippet(c)}'`);
    if (callee.kind === ts.SyntaxKind.ImportKeyword) return refuse(c, `dynamic import '${snippet(c)}'`);
    if (callee.kind === ts.SyntaxKind.SuperKeyword) return refuse(c, "'super(…)'");
    if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name)) {
      if (callee.questionDotToken) return refuse(c, `optional chaining '${snippet(c)}'`);
      if (ts.isIdentifier(callee.expression) && callee.expression.text === 'Math' && !declared.has('Math')) return mathCall(c, callee.name.text);
      const method = callee.name.text;
      if (Object.hasOwn(ARRAY_METHODS, method)) {
        return { kind: 'builtin', name: ARRAY_METHODS[method], args: [expr(callee.expression), ...args(c.arguments)], span };
      }
    }
    if (ts.isIdentifier(callee) && !declared.has(callee.text) && Object.hasOwn(TS_TENSOR_FUNCTIONS, callee.text)) {
      const helper = TS_TENSOR_FUNCTIONS[callee.text];
      if (c.arguments.length !== helper.arity) {
        throw new BackpropError('unsupported', `${callee.text}() takes ${helper.arity} argument${helper.arity === 1 ? '' : 's'}, got ${c.arguments.length}`, span);
      }
      return { kind: 'op', op: helper.op, args: args(c.arguments), span, label: callee.text };
    }
    const only = '(only Math.* functions and functions defined in the selection can be called)';
    if (ts.isArrowFunction(callee) || ts.isFunctionExpression(callee)) return refuse(c, `call of a function expression (name it first: const f = …; f(…)) ${only}`);
    const root = rootName(callee);
    if (root === undefined || (root !== 'this' && !declared.has(root))) return refuse(c, `call of '${snippet(callee)}' ${only}`);
    return { kind: 'call', callee: expr(c.expression), args: args(c.arguments), span };
  };

  /** `a` of `a.b.c` / `a[0].b`: the name an access chain starts from. */
  const rootName = (e: ts.Expression): string | undefined => {
    let node = unwrap(e);
    while (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isCallExpression(node)) node = unwrap(node.expression);
    if (node.kind === ts.SyntaxKind.ThisKeyword) return 'this';
    return ts.isIdentifier(node) ? node.text : undefined;
  };

  const params = (list: readonly ts.ParameterDeclaration[]): Param[] => list.map((p) => {
    if (p.dotDotDotToken) refuse(p, `a rest parameter '${snippet(p)}'`);
    if (!ts.isIdentifier(p.name)) refuse(p.name, `destructuring '${snippet(p.name)}'`);
    const id = p.name as ts.Identifier;
    if (id.text === 'this') refuse(p, "a 'this' parameter");
    const param: Param = { name: id.text, span: spanOf(id) };
    if (p.initializer) param.default = expr(p.initializer);
    return param;
  });

  const functionDef = (f: ts.FunctionLikeDeclaration, name: string, self?: string): FunctionDef => {
    if (f.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) refuse(f, 'an async function');
    if (f.asteriskToken) refuse(f, 'a generator function');
    if (!f.body) refuse(f, 'a function without a body');
    // Parameters and the body's declarations share one scope, as in TypeScript.
    const [ps, body] = scoped((): [Param[], Statement[]] => {
      const converted = params(f.parameters);
      for (const p of f.parameters) declareNames(p.name, 'param');
      return [converted, ts.isBlock(f.body!)
        ? block(f.body.statements, false, false)
        : [{ kind: 'return', value: expr(f.body as ts.Expression), span: spanOf(f.body!) }]];
    });
    const def: FunctionDef = { kind: 'function', name, params: ps, body, span: spanOf(f) };
    if (self) def.self = self;
    return def;
  };

  const target = (node: ts.Node): Target => {
    const span = spanOf(node);
    if (ts.isIdentifier(node)) return { kind: 'name', name: node.text, span };
    if (ts.isParenthesizedExpression(node)) return target(node.expression);
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.name)) {
      if (node.questionDotToken) refuse(node, 'assignment through optional chaining');
      return { kind: 'member', object: expr(node.expression), name: node.name.text, span };
    }
    if (ts.isElementAccessExpression(node)) return { kind: 'index', object: expr(node.expression), index: expr(node.argumentExpression), span };
    if (ts.isArrayLiteralExpression(node) || ts.isArrayBindingPattern(node)) {
      const items = (node.elements as ts.NodeArray<ts.Node>).map((e) => {
        if (ts.isOmittedExpression(e) || ts.isSpreadElement(e) || (ts.isBindingElement(e) && (e.dotDotDotToken || e.initializer))) refuse(e, `this destructuring '${snippet(e)}'`);
        return target(ts.isBindingElement(e) ? e.name : e);
      });
      return { kind: 'tuple', items, span };
    }
    return refuse(node, `assignment to '${snippet(node)}' (assign to a name, x[i] or o.f)`);
  };

  /** `x = e`, `x op= e`, `x++` as statements (also a `for` loop's update). */
  const assignment = (e: ts.Expression, span: Span): Statement | undefined => {
    const inner = unwrap(e);
    if ((ts.isPostfixUnaryExpression(inner) || ts.isPrefixUnaryExpression(inner))
      && (inner.operator === ts.SyntaxKind.PlusPlusToken || inner.operator === ts.SyntaxKind.MinusMinusToken)) {
      const t = target(inner.operand);
      checkAssignable(t);
      return { kind: 'assign', target: t, value: num(1, spanOf(inner)), op: inner.operator === ts.SyntaxKind.PlusPlusToken ? 'add' : 'sub', span };
    }
    if (ts.isBinaryExpression(inner)) {
      const k = inner.operatorToken.kind;
      const op = COMPOUND[k];
      if (k === ts.SyntaxKind.EqualsToken || op) {
        const t = target(inner.left);
        checkAssignable(t);
        const a: Statement = { kind: 'assign', target: t, value: expr(inner.right), span };
        if (op) a.op = op;
        return a;
      }
      if (k >= ts.SyntaxKind.FirstAssignment && k <= ts.SyntaxKind.LastAssignment) refuse(inner.operatorToken, `assignment operator '${ts.tokenToString(k)}'`);
    }
    return undefined;
  };

  const declarations = (list: ts.VariableDeclarationList, span: Span): Statement[] => {
    if (list.flags & ts.NodeFlags.Using) refuse(list, "a 'using' declaration");
    const declare = list.flags & ts.NodeFlags.Const ? 'const' : 'let';
    return list.declarations.map((d): Statement => {
      if (ts.isObjectBindingPattern(d.name)) refuse(d.name, `object destructuring '${snippet(d.name)}'`);
      if (!d.initializer && declare === 'const') refuse(d, `'const ${snippet(d.name)}' without a value`);
      const value: Expression = d.initializer ? expr(d.initializer) : { kind: 'none', span: spanOf(d) };
      declareNames(d.name, declare);
      return { kind: 'assign', target: target(d.name), value, declare, span: list.declarations.length > 1 ? spanOf(d) : span };
    });
  };

  const header = (s: ts.IterationStatement): string => {
    const t = sf.text.slice(s.getStart(sf), s.statement.getStart(sf)).replace(/\s+/g, ' ').trim();
    return t.length > 60 ? `${t.slice(0, 59)}…` : t;
  };

  const body = (s: ts.Statement): Statement[] => (ts.isBlock(s) ? block(s.statements) : block([s]));

  /** `for (init; test; update)` and `for (x of xs)`, in a scope of their own (the loop variables'). */
  const loopStatement = (s: ts.ForStatement | ts.ForOfStatement, span: Span): Statement[] => {
    if (ts.isForStatement(s)) {
      const init: Statement[] = [];
      if (s.initializer) {
        if (ts.isVariableDeclarationList(s.initializer)) init.push(...declarations(s.initializer, spanOf(s.initializer)));
        else init.push(assignment(s.initializer, spanOf(s.initializer)) ?? { kind: 'expr', expr: expr(s.initializer), span: spanOf(s.initializer) });
      }
      const update: Statement[] = [];
      const updates = (e: ts.Expression): void => {
        const u = unwrap(e);
        if (ts.isBinaryExpression(u) && u.operatorToken.kind === ts.SyntaxKind.CommaToken) { updates(u.left); updates(u.right); return; }
        update.push(assignment(u, spanOf(u)) ?? { kind: 'expr', expr: expr(u), span: spanOf(u) });
      };
      if (s.incrementor) updates(s.incrementor);
      const loop: Statement = { kind: 'cfor', init, update, body: body(s.statement), header: header(s), span };
      if (s.condition) loop.test = expr(s.condition);
      return [loop];
    }
    if (s.awaitModifier) refuse(s, "'for await'");
    let t: Target;
    let declare: 'const' | 'let' | undefined;
    if (ts.isVariableDeclarationList(s.initializer)) {
      if (s.initializer.declarations.length !== 1) refuse(s.initializer, 'several loop variables');
      declare = s.initializer.flags & ts.NodeFlags.Const ? 'const' : 'let';
      t = target(s.initializer.declarations[0].name);
      declareNames(s.initializer.declarations[0].name, declare);
    } else {
      t = target(s.initializer);
      checkAssignable(t);
    }
    const loop: Statement = { kind: 'for', target: t, iter: expr(s.expression), body: body(s.statement), header: header(s), span };
    if (declare) loop.declare = declare;
    return [loop];
  };

  const statement = (s: ts.Statement): Statement[] => {
    const span = spanOf(s);
    if (ts.isEmptyStatement(s) || ts.isTypeAliasDeclaration(s) || ts.isInterfaceDeclaration(s)) return [];
    if (ts.isVariableStatement(s)) {
      if (s.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) refuse(s, "a 'declare' statement");
      return declarations(s.declarationList, span);
    }
    if (ts.isExpressionStatement(s)) {
      const a = assignment(s.expression, span);
      return [a ?? { kind: 'expr', expr: expr(s.expression), span }];
    }
    if (ts.isIfStatement(s)) {
      const out: Statement = { kind: 'if', test: expr(s.expression), then: body(s.thenStatement), condition: source(s.expression), span };
      if (s.elseStatement) out.else = body(s.elseStatement);
      return [out];
    }
    if (ts.isWhileStatement(s)) return [{ kind: 'while', test: expr(s.expression), body: body(s.statement), header: header(s), span }];
    if (ts.isForStatement(s) || ts.isForOfStatement(s)) return scoped(() => loopStatement(s, span));
    if (ts.isBreakStatement(s) || ts.isContinueStatement(s)) {
      if (s.label) refuse(s, `a labeled '${ts.isBreakStatement(s) ? 'break' : 'continue'}'`);
      return [{ kind: ts.isBreakStatement(s) ? 'break' : 'continue', span }];
    }
    if (ts.isReturnStatement(s)) {
      const r: Statement = { kind: 'return', span };
      if (s.expression) r.value = expr(s.expression);
      return [r];
    }
    if (ts.isFunctionDeclaration(s)) {
      if (!s.name) refuse(s, 'a function without a name');
      if (s.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) refuse(s, "a 'declare' function");
      return [functionDef(s, s.name!.text)];
    }
    if (ts.isClassDeclaration(s)) return [classDef(s)];
    if (ts.isBlock(s)) return [{ kind: 'block', body: block(s.statements), span }];
    switch (s.kind) {
      case ts.SyntaxKind.DoStatement: return refuse(s, "a 'do…while' loop (write it as a while loop)");
      case ts.SyntaxKind.ForInStatement: return refuse(s, "a 'for…in' loop (use for…of over an array)");
      case ts.SyntaxKind.SwitchStatement: return refuse(s, "a 'switch' statement (use if/else)");
      case ts.SyntaxKind.TryStatement: return refuse(s, "a 'try' statement");
      case ts.SyntaxKind.ThrowStatement: return refuse(s, "a 'throw' statement");
      case ts.SyntaxKind.ImportDeclaration: case ts.SyntaxKind.ImportEqualsDeclaration: return refuse(s, 'an import');
      case ts.SyntaxKind.ExportDeclaration: case ts.SyntaxKind.ExportAssignment: return refuse(s, 'an export');
      case ts.SyntaxKind.EnumDeclaration: return refuse(s, 'an enum');
      case ts.SyntaxKind.ModuleDeclaration: return refuse(s, 'a namespace or module');
      case ts.SyntaxKind.LabeledStatement: return refuse(s, 'a labeled statement');
      case ts.SyntaxKind.WithStatement: return refuse(s, "a 'with' statement");
      case ts.SyntaxKind.DebuggerStatement: return refuse(s, "a 'debugger' statement");
      default: return refuse(s, `a ${ts.SyntaxKind[s.kind]}`);
    }
  };

  /**
   * A statement list. Refused, as in straight-line code: code after return/break/continue (it never runs) and an
   * expression statement whose value is unused (the program's final expression is its output, taken off first).
   */
  const block = (list: readonly ts.Statement[], top = false, ownScope = true): Statement[] =>
    (ownScope ? scoped(() => blockIn(list, top)) : blockIn(list, top));

  const blockIn = (list: readonly ts.Statement[], top: boolean): Statement[] => {
    const kept = list.filter((s) => !ts.isEmptyStatement(s) && !ts.isTypeAliasDeclaration(s) && !ts.isInterfaceDeclaration(s));
    // Function and class declarations are hoisted (in the interpreter too): declared before the statements.
    for (const s of kept) {
      if (ts.isFunctionDeclaration(s) && s.name) declareName(s.name, 'function');
      if (ts.isClassDeclaration(s) && s.name) declareName(s.name, 'class');
    }
    kept.forEach((s, i) => {
      if (i < kept.length - 1 && (ts.isReturnStatement(s) || ts.isBreakStatement(s) || ts.isContinueStatement(s))) {
        refuse(kept[i + 1], `code after ${ts.isReturnStatement(s) ? 'return' : ts.isBreakStatement(s) ? 'break' : 'continue'} (it never runs)`);
      }
    });
    const out = kept.flatMap(statement);
    out.forEach((s, i) => {
      if (s.kind !== 'expr' || s.expr.kind === 'call' || s.expr.kind === 'builtin' || (top && i === out.length - 1)) return;
      const written = text.slice(s.span.start, s.span.end).replace(/\s+/g, ' ').replace(/;$/, '');
      throw new BackpropError('unsupported', `unsupported in TypeScript: an expression whose value is unused '${written.length > 40 ? `${written.slice(0, 37)}…` : written}'${top ? '' : ' (assign or return it)'}`, s.span);
    });
    return out;
  };

  const classDef = (c: ts.ClassDeclaration): ClassDef => {
    if (!c.name) refuse(c, 'a class without a name');
    if (c.heritageClauses?.length) refuse(c.heritageClauses[0], `'${snippet(c.heritageClauses[0])}' (classes here cannot extend or implement)`);
    if (c.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword || m.kind === ts.SyntaxKind.AbstractKeyword)) refuse(c, 'a declared or abstract class');
    const def: ClassDef = { kind: 'class', name: c.name!.text, fields: [], methods: [], span: spanOf(c) };
    const outer = inMethod;
    inMethod = true;
    for (const m of c.members) {
      if (ts.isSemicolonClassElement(m)) continue;
      if (ts.canHaveModifiers(m) && ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) refuse(m, `a static member '${snippet(m)}'`);
      if (ts.isPropertyDeclaration(m)) {
        if (!ts.isIdentifier(m.name)) refuse(m.name, `the field name '${snippet(m.name)}'`);
        const field: ClassDef['fields'][number] = { name: (m.name as ts.Identifier).text, span: spanOf(m) };
        if (m.initializer) field.value = expr(m.initializer);
        def.fields.push(field);
      } else if (ts.isConstructorDeclaration(m)) {
        const init = functionDef(m, def.name, 'this');
        // `constructor(public w: number)`: a parameter property is a field set from the argument.
        const props = m.parameters.filter((p) => ts.getModifiers(p)?.length);
        const assigns: Statement[] = props.map((p) => ({
          kind: 'assign', span: spanOf(p),
          target: { kind: 'member', object: { kind: 'var', name: 'this', span: spanOf(p) }, name: (p.name as ts.Identifier).text, span: spanOf(p) },
          value: { kind: 'var', name: (p.name as ts.Identifier).text, span: spanOf(p) },
        }));
        init.body = [...assigns, ...init.body];
        def.init = init;
      } else if (ts.isMethodDeclaration(m)) {
        if (!ts.isIdentifier(m.name)) refuse(m.name, `the method name '${snippet(m.name)}'`);
        def.methods.push(functionDef(m, (m.name as ts.Identifier).text, 'this'));
      } else {
        refuse(m, `this class member '${snippet(m)}' (fields, a constructor and methods only)`);
      }
    }
    inMethod = outer;
    return def;
  };

  const programSpan = lines.span(0, text.length);
  if (fn) {
    const def = functionDef(fn, ts.isFunctionDeclaration(fn) && fn.name ? fn.name.text : 'f');
    return { kind: 'program', lang: 'ts', params: def.params, body: def.body, span: programSpan, text };
  }
  const converted = block(statements, true, false);
  let result: Expression | undefined;
  const last = converted[converted.length - 1];
  if (last?.kind === 'expr') {
    converted.pop();
    result = last.expr;
  }
  const program: ProgramAst = { kind: 'program', lang: 'ts', params: [], body: converted, span: programSpan, text };
  if (result) program.result = result;
  return program;
}
