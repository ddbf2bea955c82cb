/** Bounds that keep any input from hanging or exhausting memory. Generous for lessons, far below trouble. */
export const LIMITS = {
  /** Characters of source text accepted by a front end. */
  maxSourceChars: 2_000_000,
  /** IR / tape nodes built from text. */
  maxNodes: 2_000_000,
  /** Nodes for which a finite-difference check replays the tape (inputs × nodes). */
  maxGradCheckWork: 50_000_000,
  /** Size of an inlined expression handed to the symbolic differentiator. */
  maxSymbolicChars: 20_000,
} as const;
