/**
 * The one error type for broken dependencies and bugs. Bad data is never thrown:
 * it is a `Result` value (see result.ts).
 */
export const errorCodes = [
  'CONFIG_INVALID',
  'KAFKA_UNAVAILABLE',
  'KAFKA_PRODUCE_FAILED',
  'ELASTICSEARCH_UNAVAILABLE',
  'ELASTICSEARCH_REJECTED',
  'MONGODB_UNAVAILABLE',
  'ATLAS_HTTP_ERROR',
  'ATLAS_RATE_LIMITED',
  'ATLAS_AUTH_FAILED',
  'SINK_UNAVAILABLE',
  'TIMEOUT',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export type AppErrorOptions = {
  code: ErrorCode;
  retryable: boolean;
  cause?: unknown;
  details?: Record<string, unknown>;
};

/** An error with a stable `code`, a `retryable` flag and the underlying `cause`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(message: string, options: AppErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = options.code;
    this.retryable = options.retryable;
    this.details = options.details ?? {};
  }
}

/** True when `err` is an AppError flagged retryable. Unknown errors are not retryable. */
export function isRetryable(err: unknown): boolean {
  return err instanceof AppError && err.retryable;
}
