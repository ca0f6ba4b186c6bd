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

/**
 * Keys whose values are secrets wherever they appear: a password given to a command, or the
 * SCRAM credentials of a user document written straight to admin.system.users
 * (directAuthMutation). Their values become type markers in every mode, 'keep' included.
 */
const secretKeys = new Set(['pwd', 'password', 'credentials', 'storedKey', 'serverKey', 'salt', 'secret', 'token', 'apiKey', 'privateKey', 'clientSecret']);

/** Keys whose string values are connection strings: kept, but without any `user:password@`. */
const connectionStringKeys = new Set(['connectionString', 'host', 'uri']);

/**
 * A connection string without the credentials of its authority, in both forms addShard and
 * drivers use: `mongodb://user:pw@h1,h2/db?opts` and `rs0/user:pw@h1:27017,h2:27017`.
 * Everything up to the last `@` goes, so an unescaped `/`, `?` or `@` in a password cannot keep
 * part of it (host names hold none of them); an `@` in the options masks more than needed,
 * never less.
 */
export function withoutCredentials(text: string): string {
  const at = text.lastIndexOf('@');
  if (at === -1) return text;
  // Only MongoDB's own schemes count: in `u://…@h` the '//' may be the start of a password.
  const scheme = /^mongodb(\+srv)?:\/\//i.exec(text)?.[0].length ?? 0;
  let start = scheme;
  if (start === 0) {
    // `rs0/` is a replica-set name only if it has no ':' (else the '/' is inside a password).
    const slash = text.indexOf('/');
    if (slash !== -1 && slash < text.indexOf('@') && !text.slice(0, slash).includes(':')) start = slash + 1;
  }
  return `${text.slice(0, start)}[credentials]${text.slice(at)}`;
}

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
      setKey(out, cut(key, policy), child(key, (value as Record<string, unknown>)[key], keep || nestedStructuralKeys.has(key), depth + 1, policy, budget));
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
 * The copy of the value under `key`: a secret as its type marker, a kept connection string
 * without credentials (taken out before the string is cut, so a long password cannot survive
 * the cut), anything else as `copy` makes it.
 */
function child(key: string, value: unknown, keep: boolean, depth: number, policy: SanitisePolicy, budget: Budget): JsonValue {
  const secret = secretKeys.has(key);
  if (secret || (keep && typeof value === 'string' && connectionStringKeys.has(key))) {
    budget.nodes -= 1;
    if (budget.nodes < 0) return '[truncated]';
    return secret ? marker(value) : cut(withoutCredentials(value as string), policy);
  }
  return copy(value, keep, depth, policy, budget);
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
    setKey(out, cut(key, policy), child(key, (param as Record<string, unknown>)[key], keep, 1, policy, budget));
  }
  if (extra > 0) setKey(out, '…', `[+${extra} keys]`);
  return out;
}
