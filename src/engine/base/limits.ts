/** Bounds that keep any input from hanging or exhausting memory. Generous for lessons, far below trouble. */
export const LIMITS = {
  /** Characters of source text accepted by a front end. */
  maxSourceChars: 2_000_000,
  /** IR / tape nodes built from text. */
  maxNodes: 2_000_000,
  /** Nesting of the math parser (brackets, calls, assignments count 1–2 each): an error above, not a stack overflow. */
  maxMathNesting: 1_000,
  /** Nodes for which a finite-difference check replays the tape (inputs × nodes). */
  maxGradCheckWork: 50_000_000,
  /**
   * The one "too long" for symbolic work: program size, expression tree size and printed length of a symbolic
   * derivative (each tree node prints at least one character, so a larger tree cannot print shorter).
   */
  maxSymbolicChars: 5_000,
  /** Graphs with more edges keep numbers only on their edges (no localFormula). */
  maxFormulaEdges: 20_000,
} as const;
