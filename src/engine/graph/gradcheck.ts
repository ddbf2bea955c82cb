import { LIMITS } from '../base/limits';
import type { Trace } from '../interpreter/trace';

export interface GradCheckRow {
  name: string;
  analytic: number;
  numeric: number;
  /** |analytic − numeric| / max(1, |analytic|, |numeric|). */
  error: number;
  ok: boolean;
}

export interface GradCheck {
  rows: GradCheckRow[];
  /** Set when the check was skipped (too much work), with the reason. */
  skipped?: string;
}

/**
 * Central finite differences for every input, by replaying the tape with the input nudged by ±h.
 * The tape is restored afterwards (values, local derivatives and gradients are as before).
 */
export function gradientCheck(trace: Trace, tolerance = 1e-5): GradCheck {
  const { tape, output, inputs } = trace;
  const work = inputs.length * (output + 1);
  if (work > LIMITS.maxGradCheckWork) {
    return { rows: [], skipped: `finite-difference check skipped: ${inputs.length} inputs × ${output + 1} nodes is over the limit` };
  }
  const rows: GradCheckRow[] = [];
  for (const input of inputs) {
    const i = input.index;
    const x0 = tape.value[i];
    // h ≈ ∛ε·scale balances truncation (h²) against rounding (ε/h) error for central differences.
    const h = 6e-6 * Math.max(1, Math.abs(x0));
    tape.value[i] = x0 + h;
    tape.replay(i + 1, output);
    const up = tape.value[output];
    tape.value[i] = x0 - h;
    tape.replay(i + 1, output);
    const down = tape.value[output];
    tape.value[i] = x0;
    tape.replay(i + 1, output);
    const numeric = (up - down) / (2 * h);
    const analytic = i <= output ? tape.grad[i] : 0;
    const error = Math.abs(analytic - numeric) / Math.max(1, Math.abs(analytic), Math.abs(numeric));
    const bothNaN = Number.isNaN(analytic) && Number.isNaN(numeric);
    rows.push({ name: input.name, analytic, numeric, error: bothNaN ? 0 : error, ok: bothNaN || error <= tolerance });
  }
  return { rows };
}
