/** @internal True for a promise or any object with a `then` method. */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function';
}

/**
 * @internal Calls `fn` with `value` now when it is a plain value, or once it settles when it is a
 * thenable (a rejection skips `fn`). Keeps a chain of steps synchronous while every step is:
 * each promise avoided saves an async_hooks round on the guard's hot path (bench/ANALYSIS.md).
 */
export function then<T, R>(value: T | PromiseLike<T>, fn: (value: T) => R | Promise<R>): R | Promise<R> {
  return isThenable(value) ? Promise.resolve(value).then(fn) : fn(value);
}

/** @internal A log-safe line for an error: its class, and its message unless the message may echo input. */
export function describeError(error: unknown, withMessage = true): string {
  if (!(error instanceof Error)) return typeof error;
  return withMessage ? `${error.name}: ${error.message}` : error.name;
}
