import * as ts from 'typescript';
import { BackpropError } from '../base/errors';
import { literalNumber, type Assign, type Expr, type Program } from '../ast/ir';
import { LIMITS } from '../base/limits';
import type { OpName } from '../tape/ops';
import { GLOBAL_CONSTANTS, MATH_CONSTANTS, MATH_FUNCTIONS_TS, MATH_NARY, MATH_UNARY, mathMemberOp, RESERVED, TS_TENSOR_FUNCTIONS } from './ts-names';
import { LineIndex, type Span } from '../base/span';
import { convertProgram, needsInterpreter } from './ts-program';

/*
 * The TypeScript front end: the TypeScript compiler's parser (syntax only, no type checker, nothing is ever
 * executed) and a converter from its AST into the IR. Only a small, straight-line subset is accepted; every
 * other construct is refused with a BackpropError that names it and carries its span.
 *
 * Accepted:
 *  - expressions: numeric literals, identifiers, `+ - * / **`, unary `-`/`+`, parentheses, `Math.f(…)` for the
 *    functions in MATH_FUNCTIONS_TS, `Math.PI`, `Math.E`, `NaN`, `Infinity`, and the type-only wrappers
 *    `x as T`, `<T>x`, `x!`, `x satisfies T` (types are ignored: every value is a number);
 *  - statements: `const`/`let`/`var` declarations (several declarators too, type annotations ignored, `let x;`
 *    without a value until first assigned), `x = …` and `x += -= *= /= **= …` as statements, a final expression
 *    statement or `return …` as the output, empty statements and `type`/`interface` declarations (skipped);
 *  - a selection that is exactly one function (`function f(x: number) {…}`, a function expression, an arrow
 *    function, or `const f = (…) => …`): its parameters are the inputs and its return value the output.
 *    A parameter default must be a number literal (`x = 2`): that parameter then becomes an input with that
 *    value unless a value is given, like a literal declaration (see trace.ts).
 */

type Kind = 'const' | 'let' | 'var' | 'param';
interface Binding { kind: Kind; span: Span; hasValue: boolean }

export { MATH_FUNCTIONS_TS } from './ts-names';

const BINARY: Partial<Record<ts.SyntaxKind, OpName>> = {
  [ts.SyntaxKind.PlusToken]: 'add',
  [ts.SyntaxKind.MinusToken]: 'sub',
  [ts.SyntaxKind.AsteriskToken]: 'mul',
  [ts.SyntaxKind.SlashToken]: 'div',
  [ts.SyntaxKind.AsteriskAsteriskToken]: 'pow',
};
/** Compound assignments: `x op= e` is `x = x op e`. */
const COMPOUND: Partial<Record<ts.SyntaxKind, OpName>> = {
  [ts.SyntaxKind.PlusEqualsToken]: 'add',
  [ts.SyntaxKind.MinusEqualsToken]: 'sub',
  [ts.SyntaxKind.AsteriskEqualsToken]: 'mul',
  [ts.SyntaxKind.SlashEqualsToken]: 'div',
  [ts.SyntaxKind.AsteriskAsteriskEqualsToken]: 'pow',
};

function isAssignmentOperator(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

/** Operator families for refusal messages. */
function operatorFamily(kind: ts.SyntaxKind): string {
  switch (kind) {
    case ts.SyntaxKind.LessThanToken: case ts.SyntaxKind.GreaterThanToken:
    case ts.SyntaxKind.LessThanEqualsToken: case ts.SyntaxKind.GreaterThanEqualsToken:
    case ts.SyntaxKind.EqualsEqualsToken: case ts.SyntaxKind.EqualsEqualsEqualsToken:
    case ts.SyntaxKind.ExclamationEqualsToken: case ts.SyntaxKind.ExclamationEqualsEqualsToken:
      return 'comparison operator';
    case ts.SyntaxKind.AmpersandAmpersandToken: case ts.SyntaxKind.BarBarToken:
    case ts.SyntaxKind.QuestionQuestionToken:
      return 'logical operator';
    case ts.SyntaxKind.AmpersandToken: case ts.SyntaxKind.BarToken: case ts.SyntaxKind.CaretToken:
    case ts.SyntaxKind.LessThanLessThanToken: case ts.SyntaxKind.GreaterThanGreaterThanToken:
    case ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken:
      return 'bitwise operator';
    case ts.SyntaxKind.PercentToken: return 'remainder operator';
    case ts.SyntaxKind.CommaToken: return 'comma operator';
    case ts.SyntaxKind.InKeyword: return "operator 'in'";
    case ts.SyntaxKind.InstanceOfKeyword: return "operator 'instanceof'";
    default: return 'operator';
  }
}

/** Plain names for statements we refuse. */
function describeStatement(s: ts.Statement): string {
  switch (s.kind) {
    case ts.SyntaxKind.ForStatement: return "a 'for' loop (loops are not supported)";
    case ts.SyntaxKind.ForInStatement: return "a 'for…in' loop (loops are not supported)";
    case ts.SyntaxKind.ForOfStatement: return "a 'for…of' loop (loops are not supported)";
    case ts.SyntaxKind.WhileStatement: return "a 'while' loop (loops are not supported)";
    case ts.SyntaxKind.DoStatement: return "a 'do…while' loop (loops are not supported)";
    case ts.SyntaxKind.IfStatement: return "an 'if' statement (branches are not supported)";
    case ts.SyntaxKind.SwitchStatement: return "a 'switch' statement (branches are not supported)";
    case ts.SyntaxKind.TryStatement: return "a 'try' statement";
    case ts.SyntaxKind.ThrowStatement: return "a 'throw' statement";
    case ts.SyntaxKind.Block: return 'a block { … }';
    case ts.SyntaxKind.ClassDeclaration: return 'a class';
    case ts.SyntaxKind.ImportDeclaration: case ts.SyntaxKind.ImportEqualsDeclaration: return 'an import';
    case ts.SyntaxKind.ExportDeclaration: case ts.SyntaxKind.ExportAssignment: return 'an export';
    case ts.SyntaxKind.EnumDeclaration: return 'an enum';
    case ts.SyntaxKind.ModuleDeclaration: return 'a namespace or module';
    case ts.SyntaxKind.LabeledStatement: return 'a labeled statement';
    case ts.SyntaxKind.BreakStatement: case ts.SyntaxKind.ContinueStatement: return `a '${ts.tokenToString(s.getFirstToken()?.kind ?? s.kind) ?? 'jump'}' statement`;
    case ts.SyntaxKind.WithStatement: return "a 'with' statement";
    case ts.SyntaxKind.DebuggerStatement: return "a 'debugger' statement";
    case ts.SyntaxKind.FunctionDeclaration: return 'a function declaration (a function is traced only when it is the whole selection)';
    default: return `a ${ts.SyntaxKind[s.kind]}`;
  }
}

/** Strips `( )`, `as T`, `<T>`, `!`, `satisfies T`: they do not change the value. */
function unwrap(e: ts.Expression): ts.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isTypeAssertionExpression(e)
      || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
    else return e;
  }
}

/** Statements with no run-time effect: `;`, `type T = …`, `interface I {…}`. */
function isSkipped(s: ts.Statement): boolean {
  return ts.isEmptyStatement(s) || ts.isTypeAliasDeclaration(s) || ts.isInterfaceDeclaration(s);
}

type FunctionLike = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction;

/** The function a selection consists of, when it is exactly one function (declaration, expression or `const f = …`). */
function selectedFunction(statements: readonly ts.Statement[]): FunctionLike | undefined {
  if (statements.length !== 1) return undefined;
  const s = statements[0];
  if (ts.isFunctionDeclaration(s)) return s;
  let e: ts.Expression | undefined;
  if (ts.isExpressionStatement(s)) e = s.expression;
  else if (ts.isVariableStatement(s) && s.declarationList.declarations.length === 1) e = s.declarationList.declarations[0].initializer;
  if (!e) return undefined;
  const inner = unwrap(e);
  return ts.isArrowFunction(inner) || ts.isFunctionExpression(inner) ? inner : undefined;
}

/** Parses TypeScript text (never executed) into the IR. Throws BackpropError on refusal. */
export function parseTypeScript(text: string): Program {
  if (text.length > LIMITS.maxSourceChars) {
    throw new BackpropError('too-large', `input is ${text.length} characters; the limit is ${LIMITS.maxSourceChars}`);
  }
  const lines = new LineIndex(text);
  if (!text.trim()) throw new BackpropError('no-output', 'nothing to trace: the selection is empty');
  // Syntax only: a RangeError from the recursive parser on extreme nesting propagates to attempt() ('too-deep').
  const sf = ts.createSourceFile('selection.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const diagnostics = (sf as unknown as { parseDiagnostics?: readonly ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  if (diagnostics.length) {
    const d = diagnostics[0];
    throw new BackpropError('syntax', `syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
      lines.span(d.start, d.start + Math.max(1, d.length)));
  }

  const spanOf = (node: ts.Node): Span => lines.span(node.getStart(sf), node.getEnd());
  const refuse = (node: ts.Node, what: string): never => {
    throw new BackpropError('unsupported', `unsupported in TypeScript: ${what}`, spanOf(node));
  };
  /** Source text of a node for messages, shortened. */
  const snippet = (node: ts.Node): string => {
    const s = node.getText(sf).replace(/\s+/g, ' ');
    return s.length > 40 ? `${s.slice(0, 37)}…` : s;
  };

  const scope = new Map<string, Binding>();
  /** Names declared somewhere in the statement list being converted: reading one before its declaration is refused. */
  let declaredAhead = new Set<string>();
  let nodeCount = 0;

  const readVariable = (id: ts.Identifier): Expr => {
    const name = id.text;
    const span = spanOf(id);
    if (name in GLOBAL_CONSTANTS && !scope.has(name)) return { kind: 'const', name, value: GLOBAL_CONSTANTS[name], span };
    if (name === 'Math') refuse(id, "'Math' by itself (use Math.f(…), Math.PI or Math.E)");
    if (name === 'undefined') refuse(id, "'undefined' (not a number)");
    const b = scope.get(name);
    if (b && !b.hasValue) refuse(id, `'${name}' is used before it has a value`);
    if (!b && declaredAhead.has(name)) refuse(id, `'${name}' is used before its declaration`);
    return { kind: 'var', name, span };
  };

  type Plan = { leaf: Expr } | { kids: ts.Expression[]; build: (args: Expr[]) => Expr };

  const mathCall = (call: ts.CallExpression, member: string): Plan => {
    const span = spanOf(call);
    const label = `Math.${member}`;
    for (const a of call.arguments) if (ts.isSpreadElement(a)) refuse(a, `spread arguments '${snippet(a)}'`);
    const op = mathMemberOp(member, call.arguments.length, span);
    if (op === 'random') return refuse(call, 'Math.random() (a random number is neither deterministic nor differentiable)');
    const opName = op as Exclude<OpName, 'input' | 'const'>;
    return { kids: [...call.arguments], build: (args) => ({ kind: 'op', op: opName, args, span, label }) };
  };

  /** What one AST node becomes: a leaf, or children to convert first and a builder. Refusals happen here. */
  const plan = (node: ts.Expression): Plan => {
    if (++nodeCount > LIMITS.maxNodes) throw new BackpropError('too-large', `expression has more than ${LIMITS.maxNodes} parts`);
    const span = spanOf(node);
    switch (node.kind) {
      case ts.SyntaxKind.NumericLiteral:
        return { leaf: { kind: 'num', value: Number((node as ts.NumericLiteral).text), span } };
      case ts.SyntaxKind.Identifier:
        return { leaf: readVariable(node as ts.Identifier) };
      case ts.SyntaxKind.ParenthesizedExpression:
      case ts.SyntaxKind.AsExpression:
      case ts.SyntaxKind.TypeAssertionExpression:
      case ts.SyntaxKind.NonNullExpression:
      case ts.SyntaxKind.SatisfiesExpression:
        return { kids: [(node as ts.ParenthesizedExpression).expression], build: (a) => a[0] };
      case ts.SyntaxKind.PrefixUnaryExpression: {
        const u = node as ts.PrefixUnaryExpression;
        if (u.operator === ts.SyntaxKind.MinusToken) return { kids: [u.operand], build: (a) => ({ kind: 'op', op: 'neg', args: a, span }) };
        if (u.operator === ts.SyntaxKind.PlusToken) return { kids: [u.operand], build: (a) => a[0] };
        if (u.operator === ts.SyntaxKind.PlusPlusToken || u.operator === ts.SyntaxKind.MinusMinusToken) {
          return refuse(node, `increment/decrement '${snippet(node)}' (write x = x + 1)`);
        }
        return refuse(node, `operator '${ts.tokenToString(u.operator)}'`);
      }
      case ts.SyntaxKind.PostfixUnaryExpression:
        return refuse(node, `increment/decrement '${snippet(node)}' (write x = x + 1)`);
      case ts.SyntaxKind.BinaryExpression: {
        const b = node as ts.BinaryExpression;
        const k = b.operatorToken.kind;
        const op = BINARY[k];
        if (op) {
          const opName = op as Exclude<OpName, 'input' | 'const'>;
          return { kids: [b.left, b.right], build: (a) => ({ kind: 'op', op: opName, args: a, span }) };
        }
        if (isAssignmentOperator(k)) return refuse(node, `assignment inside an expression '${snippet(node)}' (assign in its own statement)`);
        return refuse(b.operatorToken, `${operatorFamily(k)} '${ts.tokenToString(k)}'`);
      }
      case ts.SyntaxKind.CallExpression: {
        const c = node as ts.CallExpression;
        const callee = c.expression;
        if (callee.kind === ts.SyntaxKind.ImportKeyword) return refuse(node, `dynamic import '${snippet(node)}'`);
        if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'Math'
          && !scope.has('Math') && ts.isIdentifier(callee.name)) {
          if (c.questionDotToken || callee.questionDotToken) return refuse(node, `optional chaining '${snippet(node)}'`);
          return mathCall(c, callee.name.text);
        }
        if (ts.isIdentifier(callee) && !scope.has(callee.text) && Object.hasOwn(TS_TENSOR_FUNCTIONS, callee.text)) {
          const helper = TS_TENSOR_FUNCTIONS[callee.text];
          for (const a of c.arguments) if (ts.isSpreadElement(a)) refuse(a, `spread arguments '${snippet(a)}'`);
          if (c.arguments.length !== helper.arity) {
            throw new BackpropError('unsupported', `${callee.text}() takes ${helper.arity} argument${helper.arity === 1 ? '' : 's'}, got ${c.arguments.length}`, span);
          }
          return { kids: [...c.arguments], build: (a) => ({ kind: 'op', op: helper.op, args: a, span, label: callee.text }) };
        }
        const name = ts.isFunctionExpression(unwrap(callee)) || ts.isArrowFunction(unwrap(callee)) ? 'a function expression' : `'${snippet(callee)}'`;
        return refuse(node, `call of ${name} (only Math.* functions can be called)`);
      }
      case ts.SyntaxKind.PropertyAccessExpression: {
        const p = node as ts.PropertyAccessExpression;
        if (ts.isIdentifier(p.expression) && p.expression.text === 'Math' && ts.isIdentifier(p.name)) {
          const member = p.name.text;
          if (p.questionDotToken) return refuse(node, `optional chaining '${snippet(node)}'`);
          if (member in MATH_CONSTANTS) return { leaf: { kind: 'const', name: `Math.${member}`, value: MATH_CONSTANTS[member], span } };
          if (MATH_UNARY[member] || MATH_NARY[member] || member === 'pow') return refuse(node, `'Math.${member}' without calling it`);
          throw new BackpropError('unknown-function',
            `unknown Math member 'Math.${member}' (supported: Math.PI, Math.E, ${MATH_FUNCTIONS_TS.join(', ')})`, span);
        }
        return refuse(node, `property access '${snippet(node)}' (only Math.* is supported)`);
      }
      case ts.SyntaxKind.ElementAccessExpression:
        return refuse(node, `indexing '${snippet(node)}'`);
      case ts.SyntaxKind.ArrayLiteralExpression: {
        // Vectors and matrices: tensor.ts unrolls them (and checks shapes) before tracing.
        const items = (node as ts.ArrayLiteralExpression).elements;
        if (!items.length) return refuse(node, 'an empty array');
        for (const e of items) {
          if (ts.isSpreadElement(e)) refuse(e, `spread '${snippet(e)}'`);
          if (ts.isOmittedExpression(e)) refuse(node, 'an array with a hole');
        }
        return { kids: [...items], build: (a) => ({ kind: 'op', op: 'array', args: a, span }) };
      }
      case ts.SyntaxKind.ObjectLiteralExpression:
        return refuse(node, 'an object literal');
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      case ts.SyntaxKind.TemplateExpression:
      case ts.SyntaxKind.TaggedTemplateExpression:
        return refuse(node, `a string '${snippet(node)}' (only numbers are traced)`);
      case ts.SyntaxKind.BigIntLiteral:
        return refuse(node, `a BigInt literal '${snippet(node)}'`);
      case ts.SyntaxKind.RegularExpressionLiteral:
        return refuse(node, 'a regular expression');
      case ts.SyntaxKind.TrueKeyword:
      case ts.SyntaxKind.FalseKeyword:
        return refuse(node, `a boolean '${snippet(node)}'`);
      case ts.SyntaxKind.NullKeyword:
        return refuse(node, "'null'");
      case ts.SyntaxKind.ThisKeyword:
        return refuse(node, "'this'");
      case ts.SyntaxKind.SuperKeyword:
        return refuse(node, "'super'");
      case ts.SyntaxKind.NewExpression:
        return refuse(node, `'new' ('${snippet(node)}')`);
      case ts.SyntaxKind.ConditionalExpression:
        return refuse(node, "a conditional 'a ? b : c' (branches are not supported)");
      case ts.SyntaxKind.AwaitExpression:
        return refuse(node, "'await'");
      case ts.SyntaxKind.YieldExpression:
        return refuse(node, "'yield'");
      case ts.SyntaxKind.TypeOfExpression:
        return refuse(node, "'typeof'");
      case ts.SyntaxKind.DeleteExpression:
        return refuse(node, "'delete'");
      case ts.SyntaxKind.VoidExpression:
        return refuse(node, "'void'");
      case ts.SyntaxKind.ArrowFunction:
      case ts.SyntaxKind.FunctionExpression:
        return refuse(node, 'a function inside an expression (a function is traced only when it is the whole selection)');
      case ts.SyntaxKind.ClassExpression:
        return refuse(node, 'a class');
      case ts.SyntaxKind.MetaProperty:
        return refuse(node, `'${snippet(node)}'`);
      case ts.SyntaxKind.SpreadElement:
        return refuse(node, `spread '${snippet(node)}'`);
      default:
        return refuse(node, `${ts.SyntaxKind[node.kind]} '${snippet(node)}'`);
    }
  };

  /** AST expression → IR, iteratively (post-order with an explicit stack): user nesting never deepens our stack. */
  const convert = (root: ts.Expression): Expr => {
    const results: Expr[] = [];
    const stack: { node: ts.Expression; plan?: { kids: ts.Expression[]; build: (args: Expr[]) => Expr } }[] = [{ node: root }];
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (!top.plan) {
        const p = plan(top.node);
        if ('leaf' in p) {
          stack.pop();
          results.push(p.leaf);
          continue;
        }
        top.plan = p;
        for (let i = p.kids.length - 1; i >= 0; i--) stack.push({ node: p.kids[i] });
        continue;
      }
      stack.pop();
      const args = results.splice(results.length - top.plan.kids.length, top.plan.kids.length);
      results.push(top.plan.build(args));
    }
    return results[0];
  };

  const declare = (id: ts.Identifier, kind: Kind, hasValue: boolean) => {
    const name = id.text;
    if (RESERVED.has(name)) refuse(id, `'${name}' as a variable name`);
    const prior = scope.get(name);
    if (prior) {
      refuse(id, `redeclaring '${name}' (already declared at ${prior.span.line}:${prior.span.col}; assign to it instead)`);
    }
    scope.set(name, { kind, span: spanOf(id), hasValue });
  };

  const body: Assign[] = [];

  const declarations = (s: ts.VariableStatement) => {
    const list = s.declarationList;
    const flags = list.flags;
    // Using (4) is a bit of its own; AwaitUsing is Using | Const.
    if (flags & ts.NodeFlags.Using) refuse(s, "a 'using' declaration");
    if (s.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) refuse(s, "a 'declare' statement");
    const kind: Kind = flags & ts.NodeFlags.Const ? 'const' : flags & ts.NodeFlags.Let ? 'let' : 'var';
    for (const d of list.declarations) {
      if (!ts.isIdentifier(d.name)) refuse(d.name, `destructuring '${snippet(d.name)}'`);
      const id = d.name as ts.Identifier;
      if (!d.initializer) {
        if (kind === 'const') refuse(d, `'const ${id.text}' without a value`);
        declare(id, kind, false);
        continue;
      }
      // The right side is read before the name exists: `const x = x + 1` is refused as a use before declaration.
      const expr = convert(d.initializer);
      declare(id, kind, true);
      body.push({ kind: 'assign', name: id.text, expr, span: spanOf(d), mode: 'declare' });
    }
  };

  const assignment = (e: ts.BinaryExpression) => {
    const k = e.operatorToken.kind;
    const op = COMPOUND[k];
    if (k !== ts.SyntaxKind.EqualsToken && !op) refuse(e.operatorToken, `assignment operator '${ts.tokenToString(k)}'`);
    if (!ts.isIdentifier(e.left)) refuse(e.left, `assignment to '${snippet(e.left)}' (only plain variable names can be assigned)`);
    const id = e.left as ts.Identifier;
    const name = id.text;
    if (RESERVED.has(name)) refuse(id, `assignment to '${name}'`);
    const b = scope.get(name);
    if (!b) {
      refuse(id, declaredAhead.has(name)
        ? `'${name}' is assigned before its declaration`
        : `assignment to undeclared name '${name}' (declare it with let)`);
    }
    if (b!.kind === 'const') refuse(id, `assignment to the constant '${name}' (declare it with let)`);
    const span = spanOf(e);
    let expr: Expr;
    if (op) {
      if (!b!.hasValue) refuse(id, `'${name}' is used before it has a value`);
      const opName = op as Exclude<OpName, 'input' | 'const'>;
      expr = { kind: 'op', op: opName, args: [{ kind: 'var', name, span: spanOf(id) }, convert(e.right)], span };
    } else {
      expr = convert(e.right);
    }
    b!.hasValue = true;
    body.push({ kind: 'assign', name, expr, span, mode: 'assign' });
  };

  const isAssignmentStatement = (s: ts.Statement): s is ts.ExpressionStatement & { expression: ts.BinaryExpression } =>
    ts.isExpressionStatement(s) && ts.isBinaryExpression(s.expression) && isAssignmentOperator(s.expression.operatorToken.kind);

  /**
   * Straight-line statements into `body`; returns the output expression if there is one.
   * `inFunction`: the output must come from `return` (a bare final expression's value would be discarded).
   */
  const statements = (list: readonly ts.Statement[], inFunction: boolean): Expr | undefined => {
    const kept = list.filter((s) => !isSkipped(s));
    declaredAhead = new Set();
    for (const s of kept) {
      if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) declaredAhead.add(d.name.text);
    }
    let result: Expr | undefined;
    kept.forEach((s, i) => {
      const last = i === kept.length - 1;
      if (ts.isVariableStatement(s)) declarations(s);
      else if (isAssignmentStatement(s)) assignment(s.expression);
      else if (ts.isExpressionStatement(s)) {
        // Converted first, so a refused construct inside (a call, say) is what the message names.
        const expr = convert(s.expression);
        if (!last || inFunction) {
          refuse(s, `an expression whose value is unused '${snippet(s.expression)}'${inFunction ? ' (return it)' : ''}`);
        }
        result = expr;
      } else if (ts.isReturnStatement(s)) {
        if (!last) refuse(kept[i + 1], 'code after return (it never runs)');
        if (!s.expression) refuse(s, "'return' without a value");
        result = convert(s.expression!);
      } else {
        refuse(s, describeStatement(s));
      }
    });
    return result;
  };

  const programSpan = lines.span(0, text.length);
  const fn = selectedFunction(sf.statements.filter((s) => !isSkipped(s)));
  // Functions, loops, branches, arrays and objects: the interpreter's program (ts-program.ts). Straight-line
  // code stays on the IR below, so its graphs are exactly what they were.
  if (needsInterpreter(sf.statements, fn)) {
    const interpreted = convertProgram(sf, text, lines, sf.statements, fn);
    return { lang: 'ts', params: interpreted.params.filter((p) => !p.default).map((p) => ({ name: p.name, span: p.span })), body: [], span: programSpan, interpreted };
  }
  if (!fn) {
    const result = statements(sf.statements, false);
    return { lang: 'ts', params: [], body, result, span: programSpan };
  }

  // A selected function: parameters are the inputs, the return value the output.
  if (fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) refuse(fn, 'an async function');
  if (fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) refuse(fn, "a 'declare' function");
  if (fn.asteriskToken) refuse(fn, 'a generator function');
  if (!fn.body) refuse(fn, 'a function without a body');
  const params: Program['params'] = [];
  for (const p of fn.parameters) {
    if (p.dotDotDotToken) refuse(p, `a rest parameter '${snippet(p)}'`);
    if (!ts.isIdentifier(p.name)) refuse(p.name, `destructuring '${snippet(p.name)}'`);
    const id = p.name as ts.Identifier;
    if (id.text === 'this') refuse(p, "a 'this' parameter");
    if (p.initializer) {
      // A default must be a plain number: the parameter becomes an input with that value (overridable).
      const expr = convert(p.initializer);
      if (literalNumber(expr) === undefined) refuse(p.initializer, `a parameter default that is not a number literal '${snippet(p.initializer)}'`);
      declare(id, 'param', true);
      body.push({ kind: 'assign', name: id.text, expr, span: spanOf(p), mode: 'declare' });
    } else {
      declare(id, 'param', true);
      params.push({ name: id.text, span: spanOf(id) });
    }
  }
  let result: Expr | undefined;
  if (ts.isBlock(fn.body!)) {
    result = statements(fn.body.statements, true);
    if (!result) throw new BackpropError('no-output', "nothing to trace: the function has no 'return'", spanOf(fn));
  } else {
    declaredAhead = new Set();
    result = convert(fn.body as ts.Expression);
  }
  return { lang: 'ts', params, body, result, span: programSpan };
}
