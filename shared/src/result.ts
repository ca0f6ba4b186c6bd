/** A value or the reason it could not be produced. Pure code returns this instead of throwing on bad input. */
export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Wraps a value as a successful Result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Wraps a reason as a failed Result. */
export function fail<T = never>(reason: string): Result<T> {
  return { ok: false, reason };
}
