import type { JsonValue } from '../schema/json-value.ts';

/**
 * Canonical form of parsed JSON for comparing posture: object keys sorted, arrays sorted by
 * their canonical text (posture arrays such as roles, scopes and actions are sets), values
 * that JSON cannot hold dropped. Deterministic and never throws on acyclic input.
 */
export function canonicalise(value: unknown, depth = 0): JsonValue {
  if (depth > 32) return '[depth]';
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : null;
  if (Array.isArray(value)) {
    const items = value.map((item) => canonicalise(item, depth + 1));
    const keyed = items.map((item) => [JSON.stringify(item), item] as const);
    keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return keyed.map(([, item]) => item);
  }
  if (typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const key of Object.keys(value).sort()) {
      const child = (value as Record<string, unknown>)[key];
      if (child === undefined || typeof child === 'function' || typeof child === 'symbol' || typeof child === 'bigint') continue;
      if (key === '__proto__') Object.defineProperty(out, key, { value: canonicalise(child, depth + 1), enumerable: true, writable: true, configurable: true });
      else out[key] = canonicalise(child, depth + 1);
    }
    return out;
  }
  return null;
}

/** Canonical JSON text (see canonicalise). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalise(value));
}
