import { UnsupportedSchemaError } from './compile-errors.ts';

/**
 * zod 4 checks compiled to functions returning a message on failure, for compile-validator.
 * Length, bounds, safe-integer and regex checks are spelled out; other string/number formats,
 * `length`, `multipleOf`, `startsWith`/`endsWith`/`includes` and refinements run zod's own
 * check implementation (same verdict by construction); anything else throws at compile time.
 */

/** The internal shape of a zod check this module reads. */
export type Check = { _zod: { def: { check: string } & Record<string, unknown>; check: (payload: { value: unknown; issues: unknown[] }) => unknown } };

/** The message a check was declared with (`.regex(re, 'msg')`), if any. */
export function declaredMessage(def: Record<string, unknown>): string | undefined {
  const error = def['error'];
  if (typeof error !== 'function') return undefined;
  try {
    const out: unknown = (error as (issue: unknown) => unknown)({});
    if (typeof out === 'string') return out;
    if (typeof out === 'object' && out !== null && typeof (out as { message?: unknown }).message === 'string') return (out as { message: string }).message;
  } catch {
    // A message function that needs a real issue: fall back to ours.
  }
  return undefined;
}

/** One check as a function returning undefined when it passes, else the issue message. Throws UnsupportedSchemaError for checks it does not cover. */
export function compileCheck(check: Check): (value: unknown) => string | undefined {
  const def = check._zod.def;
  const declared = declaredMessage(def);
  switch (def.check) {
    case 'min_length': {
      const min = def['minimum'] as number;
      const message = declared ?? `too short (min ${min})`;
      return (v) => ((v as { length: number }).length >= min ? undefined : message);
    }
    case 'max_length': {
      const max = def['maximum'] as number;
      const message = declared ?? `too long (max ${max})`;
      return (v) => ((v as { length: number }).length <= max ? undefined : message);
    }
    case 'greater_than': {
      const min = def['value'] as number;
      const inclusive = def['inclusive'] === true;
      const message = declared ?? `must be ${inclusive ? '>=' : '>'} ${min}`;
      return (v) => ((inclusive ? (v as number) >= min : (v as number) > min) ? undefined : message);
    }
    case 'less_than': {
      const max = def['value'] as number;
      const inclusive = def['inclusive'] === true;
      const message = declared ?? `must be ${inclusive ? '<=' : '<'} ${max}`;
      return (v) => ((inclusive ? (v as number) <= max : (v as number) < max) ? undefined : message);
    }
    case 'string_format':
      if (def['format'] === 'regex') {
        const pattern = def['pattern'] as RegExp;
        const message = declared ?? `must match ${String(pattern)}`;
        return (v) => {
          pattern.lastIndex = 0;
          return pattern.test(v as string) ? undefined : message;
        };
      }
      return delegate(check, declared ?? `invalid ${String(def['format'])}`);
    case 'number_format':
      if (def['format'] === 'safeint') {
        const message = declared ?? 'expected an integer';
        return (v) => (Number.isSafeInteger(v) ? undefined : message);
      }
      return delegate(check, declared ?? `invalid ${String(def['format'])}`);
    case 'length_equals':
    case 'multiple_of':
    case 'starts_with':
    case 'ends_with':
    case 'includes':
    case 'custom':
      return delegate(check, declared ?? `failed ${def.check} check`);
    default:
      throw new UnsupportedSchemaError(`compile-validator: zod check '${def.check}' is not supported`);
  }
}

/** Runs zod's own implementation of a check that only inspects the value (same verdict by construction). */
function delegate(check: Check, message: string): (value: unknown) => string | undefined {
  return (value) => {
    const payload = { value, issues: [] as unknown[] };
    const r = check._zod.check(payload);
    if (r instanceof Promise) throw new UnsupportedSchemaError('compile-validator: async check');
    return payload.issues.length === 0 ? undefined : message;
  };
}
