import { BackpropError } from '../base/errors';
import type { Expr, IrOp, Program } from '../ast/ir';
import type { BuiltinName, ClassDef, CompareOp, Expression, FunctionDef, Param, ProgramAst, Statement, Target } from '../ast/program';
import { lookup } from '../base/lookup';
import type { LineIndex, Span } from '../base/span';
import {
  BUILTINS, DANGEROUS, DEFAULT_MODULES, DRAWING_NAMES, METHODS, MODULES, didYouMean, keywordsOf,
  type Builder, type Fn, type KeywordValue, type Keywords, type Module,
} from './python-library';
import type { PyExpr, PyParam, PyStmt } from './python-syntax';

/**
 * Lowers a Python syntax tree (python-syntax.ts) with functions, loops, branches, lists and classes to the
 * statement-level AST (ast/program.ts) the interpreter evaluates. Every name is given its meaning here: the
 * program's own bindings, or a library function resolved to an op (`math.exp` → exp, `.tanh()` → tanh), or one of
 * the built-ins the interpreter implements (len, range, zip, enumerate, sum, append). Nothing else is reachable:
 * dunder names and attributes, eval/exec/open/getattr and friends are refused with their line:col, and
 * `random.*` asks for the values to be written.
 */

const refuseAt = (s: Span, what: string): never => { throw new BackpropError('unsupported', `unsupported in Python: ${what}`, s); };

const PY_BUILTINS = lookup<BuiltinName>({ len: 'len', range: 'range', zip: 'zip', enumerate: 'enumerate', sum: 'sum', float: 'float', int: 'int', list: 'list', tuple: 'list' });
const BINARY_OPS = lookup<IrOp>({ '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '@': 'matmul', '**': 'pow' });
const AUG_OPS = lookup<'add' | 'sub' | 'mul' | 'div' | 'pow'>({ '+=': 'add', '-=': 'sub', '*=': 'mul', '/=': 'div', '**=': 'pow' });
const REFUSED_BINARY = lookup<string>({
  '%': "the operator '%'", '//': "floor division '//'", '<<': "the operator '<<'", '>>': "the operator '>>'", '&': "the operator '&'",
  '|': "the operator '|'", '^': "the operator '^' (in Python it is bitwise xor; use ** for powers)",
});
const STATEMENT_NAMES = lookup<string>({
  with: "a 'with' block", try: "a 'try' block", except: "an 'except' block", finally: "a 'finally' block", global: "a 'global' statement",
  nonlocal: "a 'nonlocal' statement", del: "a 'del' statement", assert: 'an assert', raise: "a 'raise' statement", yield: "a 'yield'",
  async: "an 'async' statement", await: "an 'await'", match: "a 'match' statement", 'a decorator': 'a decorator',
});
/** Built-ins that would reach the host or Python's own machinery: refused by name. */
const HOST_NAMES = new Set([...DANGEROUS, 'type', 'isinstance', 'issubclass', 'hasattr', 'delattr', 'dir', 'id', 'hash', 'object', 'super', 'memoryview', 'classmethod', 'staticmethod', 'property', 'exit', 'quit', 'help', 'iter', 'next']);
/** Python built-ins left out, each with what to write instead. */
const OTHER_BUILTINS = lookup<string>({
  map: 'write a list comprehension: [f(x) for x in xs]', filter: 'write a list comprehension with an if: [x for x in xs if c]',
  sorted: 'sorting is not traced', reversed: 'index from the end instead: xs[len(xs) - 1 - i]', round: 'rounding is not traced',
  any: 'write the test with or', all: 'write the test with and', str: 'strings are not traced', dict: 'dicts are not traced',
  set: 'sets are not traced', repr: 'strings are not traced', format: 'strings are not traced', divmod: 'use / and a whole-number loop',
  reduce: 'write a for loop', chr: 'strings are not traced', ord: 'strings are not traced', bool: 'write the comparison itself',
  complex: 'complex numbers are not supported', slice: 'index one item: xs[i]',
});
const TRACED_BUILTINS = ['len', 'range', 'zip', 'enumerate', 'sum', 'abs', 'max', 'min', 'pow', 'float'];
const dunder = (name: string) => name.length > 4 && name.startsWith('__') && name.endsWith('__');

/** Parses a syntax tree into a Program whose `interpreted` holds the statement-level program. */
export function lowerPython(stmts: PyStmt[], lines: LineIndex): Program {
  const text = lines.text;
  const whole = lines.span(0, text.length);
  const source = (s: Span) => text.slice(s.start, s.end).replace(/\s+/g, ' ');
  const span = (start: number, end: number) => lines.span(start, end);

  // Names the program binds anywhere (assignments, parameters, loop targets, def and class names): these are
  // the program's own, never a module or library function.
  const own = new Set<string>();
  /** Names of methods the program's classes define: `n.parameters()` calls the class's, not a library method. */
  const methodNames = new Set<string>();
  const classNames = new Set<string>();
  const bindTarget = (e: PyExpr) => {
    if (e.kind === 'name') own.add(e.name);
    else if (e.kind === 'tuple' || e.kind === 'list') e.items.forEach(bindTarget);
    else if (e.kind === 'starred') bindTarget(e.arg);
  };
  const collectExpr = (root: PyExpr) => {
    const stack: PyExpr[] = [root];
    while (stack.length) {
      const e = stack.pop()!;
      switch (e.kind) {
        case 'attr': stack.push(e.object); break;
        case 'index': stack.push(e.object, e.index); break;
        case 'call': stack.push(e.callee, ...e.args, ...e.keywords.map((k) => k.value)); break;
        case 'binary': case 'logic': stack.push(e.left, e.right); break;
        case 'unary': case 'starred': stack.push(e.arg); break;
        case 'compare': stack.push(...e.operands); break;
        case 'conditional': stack.push(e.test, e.then, e.otherwise); break;
        case 'lambda': e.params.forEach((p) => own.add(p.name)); stack.push(e.body); break;
        case 'tuple': case 'list': stack.push(...e.items); break;
        case 'comprehension':
          stack.push(e.element);
          for (const c of e.clauses) { bindTarget(c.target); stack.push(c.iter, ...c.ifs); }
          break;
        default: break;
      }
    }
  };
  const collect = (body: PyStmt[], inClass: boolean) => {
    for (const s of body) {
      switch (s.kind) {
        case 'expr': collectExpr(s.expr); break;
        case 'assign': s.targets.forEach(bindTarget); s.targets.forEach(collectExpr); collectExpr(s.value); break;
        case 'augassign': bindTarget(s.target); collectExpr(s.value); break;
        case 'annassign': bindTarget(s.target); if (s.value) collectExpr(s.value); break;
        case 'def':
          if (inClass) methodNames.add(s.name); else own.add(s.name);
          s.params.forEach((p) => { own.add(p.name); if (p.value) collectExpr(p.value); });
          collect(s.body, false);
          break;
        case 'class': own.add(s.name); classNames.add(s.name); collect(s.body, true); break;
        case 'return': if (s.value) collectExpr(s.value); break;
        case 'if': case 'while': collectExpr(s.test); collect(s.body, false); collect(s.orelse, false); break;
        case 'for': bindTarget(s.target); collectExpr(s.iter); collect(s.body, false); collect(s.orelse, false); break;
        default: break;
      }
    }
  };
  collect(stmts, false);

  // Modules and imported functions, as the straight-line reader knows them.
  const modules = new Map<string, Module>(Object.entries(DEFAULT_MODULES));
  const functions = new Map<string, Fn>(Object.entries(BUILTINS));
  const constants = new Map<string, [string, number]>();
  /** `from math import exp`: names that are functions because an import says so (sympy's, known by default, may be values). */
  const importedFunctions = new Set<string>();
  for (const name of own) { modules.delete(name); functions.delete(name); }
  const importStmt = (s: Extract<PyStmt, { kind: 'import' }>) => {
    const words = source(s.span);
    const unknownModule = (name: string): never => refuseAt(s.span,
      `the import '${words}' (known modules: math, numpy, torch, torch.nn.functional, sympy, micrograd)${didYouMean('', name, Object.keys(MODULES))}`);
    if (s.from === undefined) {
      for (const n of s.names) {
        const module = MODULES[n.name];
        if (!module) unknownModule(n.name);
        const bound = n.alias === n.name.split('.')[0] && n.name.includes('.') ? MODULES[n.alias] : module;
        if (bound) modules.set(n.alias, bound);
      }
      return;
    }
    const module = MODULES[s.from];
    if (!module) {
      if (s.names.length && s.names.every((n) => DRAWING_NAMES.has(n.name))) {
        for (const n of s.names) functions.set(n.alias, { kind: 'draw' });
        return;
      }
      unknownModule(s.from);
    }
    for (const n of s.names) {
      if (n.name === '*') refuseAt(n.span, `'from ${s.from} import *' (import the names you use)`);
      const sub = module.submodules?.[n.name];
      const fn = module.fns[n.name];
      const constant = module.constants[n.name];
      if (own.has(n.alias)) refuseAt(n.span, `assignment to '${n.alias}', which an import binds`);
      if (sub) modules.set(n.alias, sub);
      else if (fn) { functions.set(n.alias, fn); importedFunctions.add(n.alias); }
      else if (constant) constants.set(n.alias, constant);
      else if (module.refusedAll) functions.set(n.alias, { kind: 'refused', why: module.refusedAll });
      else refuseAt(n.span, `cannot import '${n.name}' from ${s.from}${didYouMean('', n.name, [...Object.keys(module.fns), ...Object.keys(module.constants)])}`);
    }
  };
  for (const s of stmts) if (s.kind === 'import') importStmt(s);
  for (const s of stmts) {
    if (s.kind === 'class' && s.name === 'Value' && s.body.some((m) => m.kind === 'def' && m.name === '__add__')) {
      refuseAt(s.nameSpan, "defining micrograd's Value class (its operators are what the graph traces): select the code that uses Value, not the class itself");
    }
  }

  // ------------------------------------------------------------------ expressions
  const modulePath = (e: PyExpr): { module: Module; name: string } | undefined => {
    if (e.kind === 'name') {
      if (own.has(e.name)) return undefined;
      const m = modules.get(e.name);
      return m ? { module: m, name: e.name } : undefined;
    }
    if (e.kind === 'attr') {
      const outer = modulePath(e.object);
      const sub = outer?.module.submodules?.[e.name];
      return outer && sub ? { module: sub, name: `${outer.name}.${e.name}` } : undefined;
    }
    return undefined;
  };
  const checkName = (name: string, s: Span) => {
    if (HOST_NAMES.has(name) && !own.has(name)) refuseAt(s, `'${name}' (it would reach Python itself; code is never run)`);
    if (dunder(name)) refuseAt(s, `the name '${name}' (Python's own machinery is not reachable; code is never run)`);
  };

  const lowerExpr = (e: PyExpr): Expression => {
    switch (e.kind) {
      case 'num': return { kind: 'num', value: e.value, span: e.span };
      case 'str': return { kind: 'str', value: e.value, span: e.span };
      case 'constant': return e.value === null ? { kind: 'none', span: e.span } : { kind: 'bool', value: e.value, span: e.span };
      case 'name': {
        checkName(e.name, e.span);
        if (!own.has(e.name)) {
          if (modules.has(e.name)) refuseAt(e.span, `the module '${e.name}' used as a value`);
          const constant = constants.get(e.name);
          if (constant) return { kind: 'const', name: constant[0], value: constant[1], span: e.span };
          if (importedFunctions.has(e.name)) refuseAt(e.span, `the function '${e.name}' used as a value (call it, or wrap it: lambda t: ${e.name}(t))`);
          if (e.name in PY_BUILTINS || e.name === 'print') refuseAt(e.span, `the built-in '${e.name}' used as a value (call it)`);
        }
        return { kind: 'var', name: e.name, span: e.span };
      }
      case 'attr': {
        const path = modulePath(e.object);
        // The object first: refusals come in reading order (x.__class__ before .__bases__).
        const object = path ? undefined : lowerExpr(e.object);
        if (dunder(e.name)) refuseAt(e.nameSpan, `the attribute '.${e.name}' (Python's own machinery is not reachable; code is never run)`);
        if (path) {
          const constant = path.module.constants[e.name];
          if (constant) return { kind: 'const', name: constant[0], value: constant[1], span: e.span };
          if (path.module.submodules?.[e.name]) refuseAt(e.span, `the module '${path.name}.${e.name}' used as a value`);
          return refuseAt(e.span, `attribute access '${path.name}.${e.name}'${didYouMean(`${path.name}.`, e.name, [...Object.keys(path.module.constants), ...Object.keys(path.module.fns)])}`);
        }
        if (e.name === 'grad' || e.name === 'data') {
          refuseAt(span(e.nameSpan.start - 1, e.nameSpan.end), `attribute access '.${e.name}' in a calculation (${e.name === 'grad' ? 'the graph shows every gradient' : 'it is the value without its graph'}; read past only in print(...) or a line of its own)`);
        }
        if (e.name === 'T') return { kind: 'op', op: 'transpose', args: [object!], label: '.T', span: e.span };
        return { kind: 'member', object: object!, name: e.name, span: e.span };
      }
      case 'index': {
        if (e.index.kind === 'slice') refuseAt(e.index.span, 'slicing (index one item: xs[i])');
        if (e.index.kind === 'tuple') refuseAt(e.index.span, 'indexing with a tuple (index one item: xs[i][j])');
        return { kind: 'index', object: lowerExpr(e.object), index: lowerExpr(e.index), span: e.span };
      }
      case 'slice': return refuseAt(e.span, 'slicing');
      case 'dict': return refuseAt(e.span, 'a dict or set');
      case 'starred': return refuseAt(e.span, "unpacking with '*'");
      case 'call': return lowerCall(e);
      case 'binary': {
        // A long sum `a + b + c + …` leans left: walk down its left spine with a loop, not one call per term.
        const spine: Extract<PyExpr, { kind: 'binary' }>[] = [];
        let leftmost: PyExpr = e;
        while (leftmost.kind === 'binary') { spine.push(leftmost); leftmost = leftmost.left; }
        let acc = lowerExpr(leftmost);
        for (let k = spine.length - 1; k >= 0; k--) {
          const b = spine[k];
          const op = BINARY_OPS[b.op];
          if (!op) return refuseAt(b.opSpan, REFUSED_BINARY[b.op] ?? `the operator '${b.op}'`);
          acc = { kind: 'op', op, args: [acc, lowerExpr(b.right)], span: b.span };
        }
        return acc;
      }
      case 'unary': {
        if (e.op === 'not') return { kind: 'not', arg: lowerExpr(e.arg), span: e.span };
        if (e.op === '~') return refuseAt(e.span, "the operator '~'");
        const arg = lowerExpr(e.arg);
        return e.op === '+' ? arg : { kind: 'op', op: 'neg', args: [arg], span: e.span };
      }
      case 'compare': {
        // `x is None` / `x is not None` (a default argument's test) compare with None: == and != say the same here.
        const constantAt = (k: number) => e.operands[k].kind === 'constant';
        const ops = e.ops.map((o, k) => ((o === 'is' || o === 'is not') && (constantAt(k) || constantAt(k + 1)) ? (o === 'is' ? '==' : '!=') : o));
        const bad = ops.find((o) => !['<', '<=', '>', '>=', '==', '!='].includes(o));
        if (bad) return refuseAt(e.span, `the operator '${bad}'`);
        return { kind: 'compare', ops: ops as CompareOp[], operands: e.operands.map(lowerExpr), span: e.span };
      }
      case 'logic': return { kind: 'logical', op: e.op, left: lowerExpr(e.left), right: lowerExpr(e.right), span: e.span };
      case 'conditional':
        return { kind: 'cond', test: lowerExpr(e.test), then: lowerExpr(e.then), else: lowerExpr(e.otherwise), condition: source(e.test.span), span: e.span };
      case 'lambda':
        return { kind: 'lambda', fn: { kind: 'function', name: 'lambda', params: lowerParams(e.params), body: [{ kind: 'return', value: lowerExpr(e.body), span: e.body.span }], span: e.span }, span: e.span };
      case 'tuple': case 'list': return { kind: 'list', items: e.items.map(lowerExpr), span: e.span };
      case 'comprehension': {
        const clauses: Extract<Expression, { kind: 'comprehension' }>['clauses'] = [];
        for (const c of e.clauses) {
          clauses.push({ kind: 'for', target: lowerTarget(c.target), iter: lowerExpr(c.iter) });
          for (const test of c.ifs) clauses.push({ kind: 'if', test: lowerExpr(test) });
        }
        return { kind: 'comprehension', element: lowerExpr(e.element), clauses, span: e.span };
      }
    }
  };

  const lowerParams = (params: PyParam[]): Param[] => params.map((p) => {
    if (p.star) refuseAt(p.span, `a parameter '${p.star}${p.name}' (name each parameter)`);
    checkName(p.name, p.span);
    return p.value ? { name: p.name, default: lowerExpr(p.value), span: p.span } : { name: p.name, span: p.span };
  });

  const keywordValue = (v: PyExpr): KeywordValue | undefined => {
    if (v.kind === 'num') return { kind: 'num', value: v.value };
    if (v.kind === 'unary' && v.op === '-' && v.arg.kind === 'num') return { kind: 'num', value: -v.arg.value };
    if (v.kind === 'str') return { kind: 'str', value: v.value };
    if (v.kind === 'constant') return { kind: 'name', text: v.value === null ? 'None' : v.value ? 'True' : 'False' };
    if (v.kind === 'name') return { kind: 'name', text: v.name };
    if (v.kind === 'attr') {
      const inner = keywordValue(v.object);
      return inner?.kind === 'name' ? { kind: 'name', text: `${inner.text}.${v.name}` } : undefined;
    }
    return undefined;
  };

  /** A library function (math.exp, np.tanh, .relu(), Value(...)) applied to lowered arguments. */
  const libraryCall = (fn: Fn, name: string, e: Extract<PyExpr, { kind: 'call' }>, args: Expression[], nameSpan: Span): Expression => {
    const s = e.span;
    if (fn.kind === 'refused') return refuseAt(nameSpan, `${name}(...): ${fn.why}`);
    if (fn.kind === 'symbols' || fn.kind === 'diff' || fn.kind === 'abstract') return refuseAt(nameSpan, `sympy's ${name}(...) in a program with functions or loops (symbolic cells are read as straight-line code)`);
    if (fn.kind === 'draw') return refuseAt(nameSpan, `${name}(...) inside an expression (drawing is read past only as a statement of its own)`);
    if (fn.kind === 'fill' || fn.kind === 'like') return refuseAt(nameSpan, `${name}(...) in a program with functions or loops (matrix programs are traced as straight-line code; write the values as lists)`);
    const accepted = keywordsOf(fn);
    const keywords: Record<string, { value: KeywordValue; span: Span }> = Object.create(null);
    for (const k of e.keywords) {
      const shown = name.endsWith('()') ? name : `${name}()`;
      if (!accepted.includes(k.name)) refuseAt(k.span, `the keyword argument '${k.name}=' of ${shown}${didYouMean('', k.name, accepted).replace(/\?\)$/, '=?)')}`);
      const value = keywordValue(k.value);
      if (!value) refuseAt(k.span, `the keyword argument '${k.name}=' of ${shown} with a value that is not a constant written out`);
      keywords[k.name] = { value: value!, span: k.span };
    }
    const arity = (min: number, max: number) => {
      if (args.length >= min && args.length <= max) return;
      const shift = name.startsWith('.') ? 1 : 0;
      const [lo, hi, got] = [min - shift, max - shift, args.length - shift];
      const expected = lo === hi ? `${lo} argument${lo === 1 ? '' : 's'}` : hi === Infinity ? `at least ${lo} argument${lo === 1 ? '' : 's'}` : `${lo} to ${hi} arguments`;
      throw new BackpropError('unsupported', `${name.replace(/\(\)$/, '')}() takes ${expected}, got ${got}`, s);
    };
    if (fn.kind === 'ctor') {
      arity(1, 1);
      let arg = args[0];
      while (arg.kind === 'list' && arg.items.length === 1) arg = arg.items[0];
      if (arg.kind === 'list') refuseAt(e.args[0].span, `${name}(...) of a list in a program with functions or loops (matrix programs are traced as straight-line code; keep Python lists of numbers)`);
      return arg;
    }
    if (fn.kind === 'same' || fn.kind === 'value') {
      arity(1, 1);
      const label = keywords.label;
      if (label && label.value.kind !== 'str') refuseAt(label.span, `${name}(…, label=…) with a label that is not a string`);
      return args[0];
    }
    if (fn.kind === 'build') {
      arity(fn.min, fn.max);
      return fn.build(args as Expr[], keywords as Keywords, builder(s, name.replace(/\(\)$/, ''))) as Expression;
    }
    arity(fn.min, fn.max);
    const op: IrOp = fn.op === 'log' && args.length === 2 ? 'logb' : fn.op;
    return { kind: 'op', op, args, span: s, label: name.startsWith('.') ? name.slice(1, -2) : name };
  };
  /** What library functions build with. A computed argument used twice is written twice (same value). */
  const builder = (s: Span, name: string): Builder => ({
    span: s,
    name,
    op: (op, args, label) => (label ? { kind: 'op', op, args, span: s, label } : { kind: 'op', op, args, span: s }),
    num: (value) => ({ kind: 'num', value, span: s }),
    share: (arg) => {
      const x = arg as Expression;
      const pure = (root: Expression): boolean => root.kind === 'num' || root.kind === 'const' || root.kind === 'var' || (root.kind === 'op' && root.args.every(pure));
      if (!pure(x)) refuseAt(arg.span, `${name}(...) of this argument: assign it to a name first`);
      return () => arg;
    },
    numberKeyword: (kw, key) => {
      const k = kw[key];
      if (!k) return undefined;
      if (k.value.kind !== 'num') return refuseAt(k.span, `${name}(…, ${key}=…) with a value that is not a number written out`);
      return k.value.value;
    },
    fail: (message, where) => refuseAt(where ?? s, message),
  });

  const lowerCall = (e: Extract<PyExpr, { kind: 'call' }>): Expression => {
    const callee = e.callee;
    const positional = () => e.args.map(lowerExpr);
    let receiver: Expression | undefined;
    const noKeywords = (what: string) => { if (e.keywords.length) refuseAt(e.keywords[0].span, `the keyword argument '${e.keywords[0].name}=' of ${what}`); };
    if (callee.kind === 'name') {
      const name = callee.name;
      checkName(name, callee.span);
      if (!own.has(name)) {
        if (DANGEROUS.has(name)) refuseAt(callee.span, `a call to '${name}' (code is never run)`);
        if (name === 'print') refuseAt(callee.span, 'print(...) inside an expression (read past only as a statement of its own)');
        if (name in OTHER_BUILTINS) refuseAt(callee.span, `the built-in ${name}(...): ${OTHER_BUILTINS[name]}`);
        const builtin = PY_BUILTINS[name];
        if (builtin) {
          noKeywords(`${name}()`);
          return { kind: 'builtin', name: builtin, args: positional(), span: e.span };
        }
        const fn = functions.get(name);
        if (fn) return libraryCall(fn, name, e, positional(), callee.span);
        if (modules.has(name)) refuseAt(callee.span, `calling the module '${name}'`);
        const known = [...functions.keys(), ...Object.keys(PY_BUILTINS), ...[...own].filter((n) => !dunder(n))];
        const near = didYouMean('', name, known);
        refuseAt(callee.span, `a call to '${name}'${near || ` (traced: functions defined here, math., np., torch. and imported functions, and ${TRACED_BUILTINS.join(', ')})`}`);
      }
    }
    if (callee.kind === 'attr') {
      const path = modulePath(callee.object);
      // The receiver first: `open(f).write(…)` is refused for its open, as a reader reads it.
      if (!path) receiver = lowerExpr(callee.object);
      if (dunder(callee.name)) refuseAt(callee.nameSpan, `the attribute '.${callee.name}' (Python's own machinery is not reachable; code is never run)`);
      if (path) {
        const full = `${path.name}.${callee.name}`;
        const fn = path.module.fns[callee.name] ?? (path.module.refusedAll ? { kind: 'refused', why: path.module.refusedAll } as Fn : undefined);
        if (!fn) {
          throw new BackpropError('unknown-function', `unknown function '${full}'${didYouMean(`${path.name}.`, callee.name, Object.keys(path.module.fns))}`, callee.span);
        }
        return libraryCall(fn, full, e, positional(), callee.span);
      }
      const method = callee.name;
      const receiverExpr = receiver!;
      if (!methodNames.has(method)) {
        if (method === 'append') {
          noKeywords('.append()');
          if (e.args.length !== 1) refuseAt(e.span, `.append() takes 1 argument, got ${e.args.length}`);
          return { kind: 'builtin', name: 'push', args: [receiverExpr, ...positional()], span: e.span };
        }
        if (method === 'backward') refuseAt(callee.nameSpan, '.backward() inside an expression or a block: write y.backward() on a line of its own, at the top level');
        const fn = METHODS[method];
        if (fn) return libraryCall(fn, `.${method}()`, e, [receiverExpr, ...positional()], callee.nameSpan);
        const receiver = callee.object;
        if (receiver.kind === 'name' && !own.has(receiver.name)) {
          throw new BackpropError('unknown-function',
            `unknown function '${receiver.name}.${method}' ('${receiver.name}' is not a module imported here; known: math, numpy, torch, torch.nn.functional, sympy, micrograd)`, callee.span);
        }
        const near = didYouMean('.', method, [...Object.keys(METHODS), ...methodNames]);
        throw new BackpropError('unknown-function', `unknown method '.${method}()'${near.replace(/\?\)$/, '()?)')}`, span(callee.nameSpan.start - 1, callee.nameSpan.end));
      }
    }
    // The program's own function, class, method or callable instance.
    const keywords = e.keywords.map((k) => {
      checkName(k.name, k.span);
      return { name: k.name, value: lowerExpr(k.value), span: k.span };
    });
    const calleeExpr: Expression = callee.kind === 'attr' && receiver ? { kind: 'member', object: receiver, name: callee.name, span: callee.span } : lowerExpr(callee);
    const call: Expression = { kind: 'call', callee: calleeExpr, args: positional(), span: e.span };
    if (keywords.length) call.keywords = keywords;
    return call;
  };

  const lowerTarget = (e: PyExpr): Target => {
    switch (e.kind) {
      case 'name':
        checkName(e.name, e.span);
        return { kind: 'name', name: e.name, span: e.span };
      case 'tuple': case 'list': return { kind: 'tuple', items: e.items.map(lowerTarget), span: e.span };
      case 'attr':
        if (dunder(e.name)) refuseAt(e.nameSpan, `the attribute '.${e.name}' (Python's own machinery is not reachable; code is never run)`);
        return { kind: 'member', object: lowerExpr(e.object), name: e.name, span: e.span };
      case 'index':
        if (e.index.kind === 'slice') refuseAt(e.index.span, 'assignment to a slice');
        return { kind: 'index', object: lowerExpr(e.object), index: lowerExpr(e.index), span: e.span };
      case 'starred': return refuseAt(e.span, "unpacking with '*'");
      default: return refuseAt(e.span, `assignment to ${source(e.span)}`);
    }
  };

  // ------------------------------------------------------------------ statements
  let result: Expression | undefined;
  /** Statements read past as a notebook's bookkeeping: printing, drawing, showing a value or gradient. */
  const readPast = (e: PyExpr): boolean => {
    if (e.kind === 'call' && e.callee.kind === 'name' && !own.has(e.callee.name)) {
      if (e.callee.name === 'print') return true;
      if (functions.get(e.callee.name)?.kind === 'draw') return true;
    }
    if (e.kind === 'attr' && (e.name === 'grad' || e.name === 'data')) return true;
    if (e.kind === 'call' && e.callee.kind === 'attr' && e.args.length === 0) {
      const m = e.callee.name;
      if (m === 'item' && e.callee.object.kind === 'attr' && (e.callee.object.name === 'grad' || e.callee.object.name === 'data')) return true;
      if (['requires_grad_', 'retain_grad', 'zero_'].includes(m) && e.callee.object.kind === 'name') return true;
      // dot.render(...), dot.view(): the drawing.
      if (e.callee.object.kind === 'name' && drawings.has(e.callee.object.name)) return true;
    }
    if (e.kind === 'name' && drawings.has(e.name)) return true;
    return false;
  };
  const drawings = new Set<string>();

  const lowerBody = (body: PyStmt[], where: 'top' | 'function' | 'block' | 'class'): Statement[] => {
    const out: Statement[] = [];
    for (const s of body) out.push(...lowerStmt(s, where));
    return out;
  };
  const lowerFunction = (s: Extract<PyStmt, { kind: 'def' }>, method: boolean): FunctionDef => {
    if (s.decorated) refuseAt(s.decorated, 'a decorator');
    if (!method) checkName(s.name, s.nameSpan);
    let params = s.params;
    let self: string | undefined;
    if (method) {
      if (!params.length || params[0].star || params[0].value) refuseAt(s.nameSpan, `the method '${s.name}' without 'self' as its first parameter`);
      self = params[0].name;
      params = params.slice(1);
    }
    const fn: FunctionDef = { kind: 'function', name: s.name, params: lowerParams(params), body: lowerBody(s.body, 'function'), span: s.span };
    if (self) fn.self = self;
    return fn;
  };
  const lowerClass = (s: Extract<PyStmt, { kind: 'class' }>): ClassDef => {
    if (s.bases.length && !(s.bases.length === 1 && s.bases[0].kind === 'name' && s.bases[0].name === 'object')) {
      // micrograd's lecture `class Neuron(Module)`: a base class holding zero_grad only; its methods are not read.
      const base = s.bases[0];
      if (!(base.kind === 'name' && own.has(base.name))) refuseAt(base.span, `the base class ${source(base.span)} (classes here stand alone)`);
    }
    const cls: ClassDef = { kind: 'class', name: s.name, fields: [], methods: [], span: s.span };
    for (const m of s.body) {
      if (m.kind === 'pass' || (m.kind === 'expr' && m.expr.kind === 'str')) continue;
      if (m.kind === 'def') {
        // Printing and a training step's bookkeeping (micrograd's nn.py has both): never part of a graph.
        if (m.name === '__repr__' || m.name === '__str__' || m.name === 'zero_grad') continue;
        if (dunder(m.name) && m.name !== '__init__' && m.name !== '__call__') {
          refuseAt(m.nameSpan, `the method '${m.name}' (operators and Python's protocols on your own classes are not traced; __init__ and __call__ are)`);
        }
        const fn = lowerFunction(m, true);
        if (m.name === '__init__') cls.init = fn;
        else cls.methods.push(fn);
        continue;
      }
      if (m.kind === 'assign' && m.targets.length === 1 && m.targets[0].kind === 'name') {
        cls.fields.push({ name: m.targets[0].name, value: lowerExpr(m.value), span: m.span });
        continue;
      }
      refuseAt(m.span, 'this statement in a class body (methods and simple attributes only)');
    }
    return cls;
  };

  const lowerStmt = (s: PyStmt, where: 'top' | 'function' | 'block' | 'class'): Statement[] => {
    switch (s.kind) {
      case 'pass': return [];
      case 'import':
        if (where !== 'top') refuseAt(s.span, 'an import inside a block (import at the top)');
        return [];
      case 'other': return refuseAt(s.span, STATEMENT_NAMES[s.keyword] ?? `'${s.keyword}'`);
      case 'break': case 'continue': return [{ kind: s.kind, span: s.span }];
      case 'return':
        if (where === 'top') refuseAt(s.span, "a 'return' outside a function");
        return [s.value ? { kind: 'return', value: lowerExpr(s.value), span: s.span } : { kind: 'return', span: s.span }];
      case 'def': return [lowerFunction(s, false)];
      case 'class': return [lowerClass(s)];
      case 'if': {
        const stmt: Statement = { kind: 'if', test: lowerExpr(s.test), then: lowerBody(s.body, 'block'), condition: source(s.test.span), span: s.span };
        if (s.orelse.length) stmt.else = lowerBody(s.orelse, 'block');
        return [stmt];
      }
      case 'while':
        if (s.orelse.length) refuseAt(s.span, "a 'while … else'");
        return [{ kind: 'while', test: lowerExpr(s.test), body: lowerBody(s.body, 'block'), header: s.header, span: s.span }];
      case 'for':
        if (s.orelse.length) refuseAt(s.span, "a 'for … else'");
        return [{ kind: 'for', target: lowerTarget(s.target), iter: lowerExpr(s.iter), body: lowerBody(s.body, 'block'), header: s.header, span: s.span }];
      case 'expr': {
        const e = s.expr;
        if (readPast(e)) return [];
        if (e.kind === 'str') return []; // a docstring
        if (e.kind === 'call' && e.callee.kind === 'attr' && e.callee.name === 'backward' && !methodNames.has('backward')) {
          if (where !== 'top') refuseAt(e.callee.nameSpan, '.backward() inside a block (trace one step: write y.backward() at the top level)');
          if (e.args.length) refuseAt(e.args[0].span, 'backward(gradient) of an output that is not one number: reduce it first, e.g. y.sum().backward()');
          if (result) refuseAt(e.span, 'a second .backward() (one output per graph)');
          result = lowerExpr(e.callee.object);
          return [];
        }
        return [{ kind: 'expr', expr: lowerExpr(e), span: s.span }];
      }
      case 'annassign': {
        if (!s.value) return [];
        return [{ kind: 'assign', target: lowerTarget(s.target), value: lowerExpr(s.value), span: s.span }];
      }
      case 'augassign': {
        const op = AUG_OPS[s.op];
        if (!op) refuseAt(s.opSpan, `the operator '${s.op}'`);
        attributeGuard(s.target, s.span);
        return [{ kind: 'assign', target: lowerTarget(s.target), value: lowerExpr(s.value), op, span: s.span }];
      }
      case 'assign': {
        if (s.targets.length > 1) {
          // a = b = 0: the value once, then the same value to each further name (a list is shared, as in Python).
          const [first, ...rest] = s.targets;
          if (first.kind !== 'name' || rest.some((t) => t.kind !== 'name')) refuseAt(s.span, 'a chained assignment to something other than names');
          return [{ kind: 'assign', target: lowerTarget(first), value: lowerExpr(s.value), span: s.span },
            ...rest.map((t): Statement => ({ kind: 'assign', target: lowerTarget(t), value: { kind: 'var', name: (first as { name: string }).name, span: first.span }, span: s.span }))];
        }
        const target = s.targets[0];
        // dot = draw_dot(g): the drawing, read past.
        if (target.kind === 'name' && s.value.kind === 'call' && s.value.callee.kind === 'name' && !own.has(s.value.callee.name)
          && functions.get(s.value.callee.name)?.kind === 'draw') {
          drawings.add(target.name);
          return [];
        }
        if (target.kind === 'attr') {
          if (target.name === 'label' && s.value.kind === 'str') return [];
          if (target.name === 'requires_grad') return [];
        }
        attributeGuard(target, s.span);
        return [{ kind: 'assign', target: lowerTarget(target), value: lowerExpr(s.value), span: s.span }];
      }
    }
  };
  /** p.grad = 0 and p.data += … are a training step's, not a graph's. */
  const attributeGuard = (target: PyExpr, s: Span) => {
    if (target.kind !== 'attr') return;
    const shown = source(target.span);
    if (target.name === 'grad') refuseAt(s, `setting '${shown}' by hand (the graph computes every gradient)`);
    if (target.name === 'data') refuseAt(s, `changing '${shown}' (a training step; trace one step's graph instead)`);
  };

  const body = lowerBody(stmts, 'top');
  // Without .backward(), a final expression statement is the output.
  if (!result) {
    const last = body[body.length - 1];
    if (last?.kind === 'expr') {
      body.pop();
      result = last.expr;
    }
  }
  if (!body.length && !result) throw new BackpropError('no-output', 'nothing to trace: no expression and no assignment');
  const interpreted: ProgramAst = { kind: 'program', lang: 'python', params: [], body, span: whole, text };
  if (result) interpreted.result = result;
  return { lang: 'python', params: [], body: [], span: whole, interpreted };
}
