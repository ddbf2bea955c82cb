/** The engine's public surface. Nothing here imports `vscode`, the DOM or Node built-ins. */
export { analyze, detectLang, parseProgram, type Analysis, type AnalyzeOptions, type TsParser } from './analyze';
export { BackpropError, attempt, type ErrorCode, type Result } from './errors';
export { formatNumber } from './format';
export { gradientCheck, type GradCheck, type GradCheckRow } from './gradcheck';
export { buildGraph, type GraphEdge, type GraphModel, type GraphNode } from './graph';
export { freeVariables, type Assign, type Expr, type GroupTag, type IrOp, type Lang, type Program, type TensorGroup, type TensorOp } from './ir';
export { LIMITS } from './limits';
export { parseMath, MATH_FUNCTIONS } from './math-frontend';
export { parsePython } from './python-frontend';
export {
  elementName, flattenValue, formatTensor, lowerTensors, needsLowering, shapeText, shapeValue, tensorGradients, tensorToMermaid, tensorView,
  type TensorEdge, type TensorGraph, type TensorNode, type TensorValue, type TensorValues,
} from './tensor';
export { escapeLabel, nodeTitle, toMermaid, type Direction, type MermaidOptions } from './mermaid';
export { OP, OPS, opSpec, type OpName, type OpSpec } from './ops';
export { inlineProgram, printExpr } from './print';
export { LineIndex, offsetSpan, type Span } from './span';
export { symbolicDerivative, type SymbolicResult } from './symbolic';
export { Tape } from './tape';
export { trace, type TaggedMeta, type Trace, type TraceInput } from './trace';
