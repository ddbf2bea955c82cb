/**
 * The engine's symbolic derivatives, one per input: what the CLI, the panel (analyze() → payload.symbolic) and
 * the hover show. One differentiator (derive.ts) and one printed form (algebra.ts) for all of them.
 */
import type { Program } from '../ast/ir';
import { deriveProgram } from './derive';

export interface SymbolicResult {
  variable: string;
  /** The output as one expression in the inputs (textbook form). */
  expression?: string;
  /** ∂expression/∂variable (textbook form: `2x·cos(x² + 1)`, `σ(u)·(1 − σ(u))`). */
  derivative?: string;
  /** Why there is no symbolic form (the numeric gradient still stands). */
  unavailable?: string;
}

/** ∂(program output)/∂variable, tidied, or why there is none. */
export function symbolicDerivative(program: Program, variable: string): SymbolicResult {
  return { variable, ...deriveProgram(program, variable) };
}
