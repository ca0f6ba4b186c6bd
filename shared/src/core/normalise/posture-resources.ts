import type { PostureKind } from '../../schema/event.ts';
import type { JsonObject } from '../../schema/json-value.ts';
import { canonicalise } from '../canonical-json.ts';
import { asNonEmpty, asObject } from './fields.ts';

/**
 * One posture snapshot as fetched from the Admin API at `takenAt` (ISO). Each section is the
 * response body as returned (paginated `{results}` bodies or bare arrays); a section that is
 * absent was not fetched and is neither reported nor diffed.
 */
export type PostureSnapshot = {
  takenAt: string;
  databaseUsers?: unknown;
  customDBRoles?: unknown;
  accessList?: unknown;
  auditLog?: unknown;
  maintenanceWindow?: unknown;
  encryptionAtRest?: unknown;
};

/** One resource of a snapshot, in canonical form. */
export type PostureResource = { kind: PostureKind; resource: string; state: JsonObject };

/** The Admin API endpoint each posture kind comes from (used in source coordinates). */
export const postureEndpoints: Record<PostureKind, string> = {
  database_user: 'databaseUsers',
  custom_role: 'customDBRoles',
  access_list_entry: 'accessList',
  audit_log: 'auditLog',
  maintenance_window: 'maintenanceWindow',
  encryption_at_rest: 'encryptionAtRest',
};

/** Fields that say nothing about posture and change between reads. */
const noise = new Set(['links', 'groupId']);

/**
 * Write-only secrets of the Admin API resources we snapshot: a database user's `password`, the
 * KMS credentials of encryption at rest (`secretAccessKey`, Azure `secret`, Google
 * `serviceAccountKey`). Atlas does not return them on GET, but a snapshot is indexed, diffed and
 * exported, so if a body ever holds one (an older API version, a proxy, a hand-made file given
 * to `scan`), its value becomes this marker: that the field is set still shows, the secret never.
 */
const secretFields = new Set(['password', 'secretAccessKey', 'secret', 'serviceAccountKey', 'privateKey', 'clientSecret', 'apiKey', 'token']);
export const REDACTED = '[redacted]';

function redacted(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  // Deeper than any Admin API body: nothing is kept that was not looked at.
  if (depth > 64) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redacted(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const kept = secretFields.has(key) && child !== null && child !== undefined ? REDACTED : redacted(child, depth + 1);
    // A '__proto__' key of parsed JSON is data: define it, never assign it (that would set the prototype).
    if (key === '__proto__') Object.defineProperty(out, key, { value: kept, enumerable: true, writable: true, configurable: true });
    else out[key] = kept;
  }
  return out;
}

/**
 * A response body with every write-only secret field replaced by `[redacted]` (see
 * secretFields), for whoever keeps a snapshot (ingest's checkpoints): the stored snapshot
 * then diffs as the events do and holds no secret either. Pure; idempotent.
 */
export function withoutSecrets(body: unknown): unknown {
  return redacted(body, 0);
}

function clean(item: Record<string, unknown>): JsonObject {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(item)) {
    if (noise.has(key)) continue;
    if (key === '__proto__') Object.defineProperty(copy, key, { value: item[key], enumerable: true, writable: true, configurable: true });
    else copy[key] = item[key];
  }
  return canonicalise(redacted(copy, 0)) as JsonObject;
}

function items(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  const results = asObject(body)?.['results'];
  return Array.isArray(results) ? results : undefined;
}

function listResources(kind: PostureKind, body: unknown, keyOf: (item: Record<string, unknown>) => string | undefined, reasons: string[]): PostureResource[] {
  const list = items(body);
  if (list === undefined) {
    reasons.push(`${postureEndpoints[kind]}: body is neither an array nor {results:[…]}`);
    return [];
  }
  const out: PostureResource[] = [];
  for (const [index, item] of list.entries()) {
    const obj = asObject(item);
    const key = obj === undefined ? undefined : keyOf(obj);
    if (obj === undefined || key === undefined) reasons.push(`${postureEndpoints[kind]}[${index}]: no identifying field`);
    else out.push({ kind, resource: key, state: clean(obj) });
  }
  return out;
}

function single(kind: PostureKind, body: unknown, reasons: string[]): PostureResource[] {
  const obj = asObject(body);
  if (obj === undefined) {
    reasons.push(`${postureEndpoints[kind]}: body is not an object`);
    return [];
  }
  return [{ kind, resource: postureEndpoints[kind], state: clean(obj) }];
}

/**
 * Splits a snapshot into its resources (database users keyed `db/username`, custom roles by
 * name, access-list entries by CIDR/IP/security group, and one resource per settings object),
 * with a reason for every item that cannot be identified. Pure and total.
 */
export function extractPostureResources(snapshot: PostureSnapshot): { resources: PostureResource[]; reasons: string[] } {
  const reasons: string[] = [];
  const resources: PostureResource[] = [];
  if (snapshot.databaseUsers !== undefined) {
    resources.push(
      ...listResources('database_user', snapshot.databaseUsers, (u) => {
        const name = asNonEmpty(u['username']);
        return name === undefined ? undefined : `${asNonEmpty(u['databaseName']) ?? 'admin'}/${name}`;
      }, reasons),
    );
  }
  if (snapshot.customDBRoles !== undefined) resources.push(...listResources('custom_role', snapshot.customDBRoles, (r) => asNonEmpty(r['roleName']), reasons));
  if (snapshot.accessList !== undefined) {
    resources.push(...listResources('access_list_entry', snapshot.accessList, (e) => asNonEmpty(e['cidrBlock']) ?? asNonEmpty(e['ipAddress']) ?? asNonEmpty(e['awsSecurityGroup']), reasons));
  }
  if (snapshot.auditLog !== undefined) resources.push(...single('audit_log', snapshot.auditLog, reasons));
  if (snapshot.maintenanceWindow !== undefined) resources.push(...single('maintenance_window', snapshot.maintenanceWindow, reasons));
  if (snapshot.encryptionAtRest !== undefined) resources.push(...single('encryption_at_rest', snapshot.encryptionAtRest, reasons));
  return { resources, reasons };
}

/** The kinds a snapshot has data for. */
export function snapshotKinds(snapshot: PostureSnapshot): Set<PostureKind> {
  const kinds = new Set<PostureKind>();
  if (snapshot.databaseUsers !== undefined) kinds.add('database_user');
  if (snapshot.customDBRoles !== undefined) kinds.add('custom_role');
  if (snapshot.accessList !== undefined) kinds.add('access_list_entry');
  if (snapshot.auditLog !== undefined) kinds.add('audit_log');
  if (snapshot.maintenanceWindow !== undefined) kinds.add('maintenance_window');
  if (snapshot.encryptionAtRest !== undefined) kinds.add('encryption_at_rest');
  return kinds;
}
