/**
 * A lookup table keyed by user text. It has no prototype, so names such as `constructor`, `toString` or
 * `__proto__` find nothing (`in` is false, indexing gives undefined) instead of Object.prototype's members.
 */
export function lookup<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}
