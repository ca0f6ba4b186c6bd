import { z } from 'zod';

/** A JSON-plain value: what survives `JSON.stringify`/`JSON.parse` unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON-plain object. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * True when `value` is JSON-plain: finite numbers, strings, booleans, null, arrays without holes
 * and plain objects of those, at most `maxDepth` levels deep. Never throws (cycles hit the depth bound).
 */
export function isJsonValue(value: unknown, maxDepth = 64): value is JsonValue {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (maxDepth <= 0) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !isJsonValue(value[i], maxDepth - 1)) return false;
        }
        return true;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) {
        if (!isJsonValue((value as Record<string, unknown>)[key], maxDepth - 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** True when `value` is a JSON-plain object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && isJsonValue(value);
}

/** zod schema for any JSON-plain value. */
export const jsonValueSchema = z.custom<JsonValue>((value) => isJsonValue(value), { message: 'must be a JSON-plain value' });

/** zod schema for a JSON-plain object. */
export const jsonObjectSchema = z.custom<JsonObject>((value) => isJsonObject(value), { message: 'must be a JSON-plain object' });
