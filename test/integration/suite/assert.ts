/**
 * The few assertions the suite needs, without node:assert: the same files run in the web worker extension host
 * (@vscode/test-web), where there is no Node, and in a desktop VS Code (@vscode/test-electron).
 */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function ok(value: unknown, message?: string): asserts value {
  if (!value) throw new AssertionError(message ?? `expected a truthy value, got ${String(value)}`);
}

export function equal<T>(actual: T, expected: T, message?: string): void {
  if (!Object.is(actual, expected)) throw new AssertionError(`${message ? `${message}: ` : ''}expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

export function close(actual: number, expected: number, tolerance: number, message?: string): void {
  if (!(Math.abs(actual - expected) <= tolerance)) throw new AssertionError(`${message ? `${message}: ` : ''}expected ${expected} ± ${tolerance}, got ${actual}`);
}

export function match(text: string, pattern: RegExp, message?: string): void {
  if (!pattern.test(text)) throw new AssertionError(`${message ? `${message}: ` : ''}expected ${pattern} to match ${JSON.stringify(text.slice(0, 400))}`);
}
