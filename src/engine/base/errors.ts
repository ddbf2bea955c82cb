import type { Span } from './span';

export type ErrorCode =
  | 'syntax' // the text does not parse
  | 'unsupported' // parses, but is a construct we refuse to trace
  | 'unknown-function'
  | 'missing-value' // a free variable has no value
  | 'bad-value' // a value given with --at / an input box is not a number
  | 'too-large' // over a size bound
  | 'too-deep' // nesting over the depth bound
  | 'no-output'; // nothing to trace (empty selection, only declarations of constants...)

/** A user-facing problem with the input: a value, not a crash. `span` says where, when known. */
export class BackpropError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly span?: Span,
    /** For 'missing-value': the names that need values. */
    readonly names?: readonly string[],
  ) {
    super(message);
    this.name = 'BackpropError';
  }

  /** One line: `line:col: message` (or just the message when there is no position). */
  format(): string {
    return this.span ? `${this.span.line}:${this.span.col}: ${this.message}` : this.message;
  }
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: BackpropError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = <T = never>(error: BackpropError): Result<T> => ({ ok: false, error });

/**
 * Runs a front-end step that reports problems by throwing BackpropError, and turns the outcome into a value.
 * A RangeError (call stack exhausted in a third-party recursive parser) becomes a 'too-deep' error.
 */
export function attempt<T>(fn: () => T): Result<T> {
  try {
    return ok(fn());
  } catch (e) {
    if (e instanceof BackpropError) return err(e);
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      return err(new BackpropError('too-deep', 'expression is nested too deeply to parse'));
    }
    throw e;
  }
}
