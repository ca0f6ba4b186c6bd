import { isRetryable } from './errors.ts';

export type RetryPolicy = {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Decides whether an error may be retried; defaults to AppError.retryable. */
  shouldRetry?: (err: unknown) => boolean;
  /** Lets a caller honour a server-given delay (e.g. Retry-After). */
  delayHintMs?: (err: unknown) => number | undefined;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
};

/** Full-jitter exponential backoff: a random delay in [0, min(max, base * 2^attempt)]. */
export function backoffDelayMs(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * Settles like `work`, unless `work` has not settled after `ms`: then rejects with `onTimeout()`
 * (which may also mark the resource behind `work` unusable). A late settlement of `work` is
 * ignored. For calls into drivers that can hang on a lost connection without ever failing.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `fn` until it succeeds, the error is not retryable, or `attempts` are used up;
 * then rethrows the last error. The one retry helper of the shell.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  const shouldRetry = policy.shouldRetry ?? isRetryable;
  let attempt = 0;
  for (;;) {
    try {
      return await fn(attempt);
    } catch (err) {
      attempt += 1;
      if (attempt >= policy.attempts || !shouldRetry(err) || policy.signal?.aborted) throw err;
      const hinted = policy.delayHintMs?.(err);
      const delayMs = hinted ?? backoffDelayMs(attempt, policy.baseDelayMs, policy.maxDelayMs);
      policy.onRetry?.(err, attempt, delayMs);
      await sleep(delayMs, policy.signal);
    }
  }
}
