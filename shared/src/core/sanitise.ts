import type { JsonObject, JsonValue } from '../schema/json-value.ts';

/** How audit `param` values are kept: 'mask' (default) keeps keys and structural names only. */
export const sanitiseModes = ['mask', 'keep', 'drop'] as const;
export type SanitiseMode = (typeof sanitiseModes)[number];

export type SanitisePolicy = {
  mode: SanitiseMode;
  /** Objects/arrays deeper than this become '[object]' / '[array]'. */
  maxDepth: number;
  /** At most this many values in total; the rest become '[truncated]'. */
  maxNodes: number;
  /** At most this many keys per object and items per array. */
  maxEntries: number;
  /** Kept strings longer than this are cut and end with '…'. */
  maxStringLength: number;
};

/** The default policy: mask values, keep shape and structural names, bounded. */
export const defaultSanitisePolicy: SanitisePolicy = { mode: 'mask', maxDepth: 6, maxNodes: 256, maxEntries: 32, maxStringLength: 256 };

/**
 * Top-level `param` keys whose values are names, not customer data: they are kept (bounded)
 * under 'mask'. Everything else (args, filters, documents, customData, startupOptions…) keeps
 * its keys but has its leaf values replaced by a type marker.
 */
const structuralKeys = new Set([
  'command',
  'ns',
  'user',
  'db',
  'roles',
  'role',
  'mechanism',
  'indexName',
  'indexBuildState',
  'old',
  'new',
  'viewOn',
  'reason',
  'operation',
  'shard',
  'privileges',
  'initialUsers',
  'updatedUsers',
  'passwordChanged',
  'localEndpoint',
  'clientMetadata',
  'key',
  'msg',
  'connectionString',
]);

/** Keys inside a masked subtree that still keep their value: the target database of a command. */
const nestedStructuralKeys = new Set(['$db']);

type Budget = { nodes: number };

function setKey(target: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function marker(value: unknown): JsonValue {
  if (value === null) return null;
  if (Array.isArray(value)) return '[array]';
  return `[${typeof value}]`;
}

function cut(text: string, policy: SanitisePolicy): string {
  return text.length > policy.maxStringLength ? `${text.slice(0, policy.maxStringLength)}…` : text;
}

function copy(value: unknown, keep: boolean, depth: number, policy: SanitisePolicy, budget: Budget): JsonValue {
  budget.nodes -= 1;
  if (budget.nodes < 0) return '[truncated]';
  if (value === null) return null;
  if (typeof value === 'object') {
    if (depth >= policy.maxDepth) return marker(value);
    if (Array.isArray(value)) {
      const out: JsonValue[] = [];
      const limit = Math.min(value.length, policy.maxEntries);
      for (let i = 0; i < limit; i++) out.push(copy(value[i], keep, depth + 1, policy, budget));
      if (value.length > limit) out.push(`[+${value.length - limit} more]`);
      return out;
    }
    const out: JsonObject = {};
    let count = 0;
    let extra = 0;
    for (const key in value) {
      if (count >= policy.maxEntries) {
        extra += 1;
        continue;
      }
      count += 1;
      const child = (value as Record<string, unknown>)[key];
      setKey(out, cut(key, policy), copy(child, keep || nestedStructuralKeys.has(key), depth + 1, policy, budget));
    }
    if (extra > 0) setKey(out, '…', `[+${extra} keys]`);
    return out;
  }
  if (!keep) return marker(value);
  if (typeof value === 'string') return cut(value, policy);
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : null;
  if (typeof value === 'boolean') return value;
  return marker(value);
}

/**
 * Sanitises an audit `param` under `policy`: returns a JSON-plain object of bounded size, or
 * undefined for 'drop' and for a param that is not an object. Never throws, never mutates.
 */
export function sanitiseParam(param: unknown, policy: SanitisePolicy = defaultSanitisePolicy): JsonObject | undefined {
  if (policy.mode === 'drop' || typeof param !== 'object' || param === null || Array.isArray(param)) return undefined;
  const budget: Budget = { nodes: policy.maxNodes };
  const out: JsonObject = {};
  let count = 0;
  let extra = 0;
  for (const key in param) {
    if (count >= policy.maxEntries) {
      extra += 1;
      continue;
    }
    count += 1;
    const keep = policy.mode === 'keep' || structuralKeys.has(key);
    setKey(out, cut(key, policy), copy((param as Record<string, unknown>)[key], keep, 1, policy, budget));
  }
  if (extra > 0) setKey(out, '…', `[+${extra} keys]`);
  return out;
}
