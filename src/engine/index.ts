/** The engine's public surface. Nothing here imports `vscode`, the DOM or Node built-ins. */
export { analyze, detectLang, parseProgram, type Analysis, type AnalyzeOptions, type TsParser } from './analyze';
export { BackpropError, attempt, type ErrorCode, type Result } from './base/errors';
export { formatNumber } from './base/format';
export { gradientCheck, type GradCheck, type GradCheckRow } from './graph/gradcheck';
export { buildGraph, type GraphBranch, type GraphEdge, type GraphModel, type GraphNode, type ScopeNode } from './graph/graph';
export { collapseScopes, collapseToFit, defaultCollapsedScopes, scopeNodeId, READABLE_NODES } from './graph/summarize';
export { freeVariables, type Assign, type Expr, type GroupTag, type IrOp, type Lang, type Program, type TensorGroup, type TensorOp } from './ast/ir';
export { LIMITS } from './base/limits';
export { parseMath, MATH_FUNCTIONS } from './frontends/math';
export { parsePython } from './frontends/python';
export { entryCount, flattenValue, formatTensor, shapeText, shapeValue, type TensorValue, type TensorValues } from './base/tensor-value';
export { elementName, lowerTensors, needsLowering } from './lower/tensor';
export { tensorGradients, tensorView, type TensorEdge, type TensorGraph, type TensorNode } from './graph/tensor-view';
export { tensorToMermaid } from './mermaid/tensor';
export {
  branchNote, drawnGraph, edgeLabelText, escapeLabel, isDrawn, isFolded, nodeLabelLines, nodeTitle, showsGradient, shownWarnings, subgraphId, toMermaid,
  type ConstantsMode, type Direction, type DrawnGraph, type EdgeLabelMode, type LabelOptions, type MermaidOptions,
} from './mermaid/mermaid';
export { OP, OPS, opSpec, type OpName, type OpSpec } from './tape/ops';
export { LineIndex, offsetSpan, type Span } from './base/span';
export { symbolicDerivative, type SymbolicResult } from './symbolic/symbolic';
export { Tape } from './tape/tape';
export { trace, type TaggedMeta, type Trace, type TraceInput } from './interpreter/trace';
export { DEFAULT_BUDGETS, listGradients, type Budgets } from './interpreter/interpret';
export type { TraceBranch, TraceScope } from './interpreter/scopes';
export { programFreeVariables, type ProgramAst } from './ast/program';
