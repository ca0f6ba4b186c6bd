import type { AtlasEvent } from '@atlas-audit/shared/schema/event';

/** The Atlas `databaseUsers` fields the review reads (other fields are ignored). */
export type DbUserState = {
  username: string;
  databaseName: string;
  roles: Array<{ roleName: string; databaseName: string; collectionName?: string }>;
  scopes: Array<{ name: string; type: string }>;
  x509Type?: string;
  awsIAMType?: string;
  ldapAuthType?: string;
  oidcAuthType?: string;
  deleteAfterDate?: string;
};

/** The Atlas `customDBRoles` fields the review reads. */
export type CustomRoleState = { roleName: string; actions: Array<{ action: string }>; inheritedRoles: Array<{ role: string; db: string }> };

export type PostureUser = { resource: string; state: DbUserState; firstSeen: string; lastChanged: string };
export type PostureView = {
  users: Map<string, PostureUser>;
  /** Users that existed at some point up to the review end and were removed since. */
  removed: Map<string, { state: DbUserState; removedAt: string }>;
  customRoles: Map<string, CustomRoleState>;
  /** Time of the newest posture record read. */
  asOf: string | undefined;
};

/** The posture event fields the review reads. */
export type PostureEvent = Pick<AtlasEvent, '@timestamp'> & { atlas: Pick<AtlasEvent['atlas'], 'snapshot' | 'diff'> };

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Reads a databaseUsers entry; undefined when it has no username. Unknown fields are dropped. */
export function dbUserOf(raw: unknown, resource: string): DbUserState | undefined {
  const o = obj(raw);
  // Resource keys are `<databaseName>/<username>` (shared posture normaliser); fall back to them when the state lacks a name.
  const slash = resource.indexOf('/');
  const username = str(o['username']) ?? (slash === -1 ? resource : resource.slice(slash + 1));
  if (username === '') return undefined;
  const state: DbUserState = {
    username,
    databaseName: str(o['databaseName']) ?? (slash === -1 ? 'admin' : resource.slice(0, slash)),
    roles: arr(o['roles']).flatMap((r) => {
      const role = obj(r);
      const roleName = str(role['roleName']);
      if (roleName === undefined) return [];
      const collectionName = str(role['collectionName']);
      return [{ roleName, databaseName: str(role['databaseName']) ?? 'admin', ...(collectionName ? { collectionName } : {}) }];
    }),
    scopes: arr(o['scopes']).flatMap((s) => {
      const scope = obj(s);
      const name = str(scope['name']);
      return name === undefined ? [] : [{ name, type: str(scope['type']) ?? 'CLUSTER' }];
    }),
  };
  for (const key of ['x509Type', 'awsIAMType', 'ldapAuthType', 'oidcAuthType', 'deleteAfterDate'] as const) {
    const v = str(o[key]);
    if (v !== undefined) state[key] = v;
  }
  return state;
}

function customRoleOf(raw: unknown, resource: string): CustomRoleState {
  const o = obj(raw);
  return {
    roleName: str(o['roleName']) ?? resource,
    actions: arr(o['actions']).flatMap((a) => {
      const action = str(obj(a)['action']);
      return action === undefined ? [] : [{ action }];
    }),
    inheritedRoles: arr(o['inheritedRoles']).flatMap((r) => {
      const role = str(obj(r)['role']);
      return role === undefined ? [] : [{ role, db: str(obj(r)['db']) ?? 'admin' }];
    }),
  };
}

/**
 * Replays posture records (state snapshots and added/changed/removed diffs) up to and including
 * `toIso`, in time order, into the database users and custom roles that existed at `toIso`.
 * A user's `firstSeen` is its first record; `lastChanged` the last record that changed its state.
 * Records after `toIso`, of other kinds, or without a usable state are ignored.
 */
export function replayPosture(events: readonly PostureEvent[], toIso: string): PostureView {
  const toMs = Date.parse(toIso);
  const sorted = events.filter((e) => Date.parse(e['@timestamp']) <= toMs).sort((a, b) => a['@timestamp'].localeCompare(b['@timestamp']));
  const view: PostureView = { users: new Map(), removed: new Map(), customRoles: new Map(), asOf: undefined };
  for (const e of sorted) {
    const at = e['@timestamp'];
    view.asOf = at;
    const snapshot = e.atlas.snapshot;
    const diff = e.atlas.diff;
    const kind = snapshot?.kind ?? diff?.resource_type;
    const resource = snapshot?.resource ?? diff?.resource;
    if (resource === undefined) continue;
    const removed = diff?.kind === 'removed';
    const rawState = snapshot?.state ?? diff?.after;
    if (kind === 'custom_role') {
      if (removed) view.customRoles.delete(resource);
      else if (rawState !== undefined) view.customRoles.set(resource, customRoleOf(rawState, resource));
      continue;
    }
    if (kind !== 'database_user') continue;
    const existing = view.users.get(resource);
    if (removed) {
      const state = existing?.state ?? dbUserOf(diff?.before, resource);
      view.users.delete(resource);
      if (state !== undefined) view.removed.set(resource, { state, removedAt: at });
      continue;
    }
    const state = dbUserOf(rawState, resource);
    if (state === undefined) continue;
    view.removed.delete(resource);
    const changed = existing === undefined || JSON.stringify(existing.state) !== JSON.stringify(state);
    view.users.set(resource, { resource, state, firstSeen: existing?.firstSeen ?? at, lastChanged: changed ? at : (existing?.lastChanged ?? at) });
  }
  return view;
}

/** The authentication method a database user is configured for. */
export function authMethodOf(state: DbUserState): string {
  if (state.x509Type !== undefined && state.x509Type !== 'NONE') return `X.509 (${state.x509Type})`;
  if (state.awsIAMType !== undefined && state.awsIAMType !== 'NONE') return `AWS IAM (${state.awsIAMType})`;
  if (state.ldapAuthType !== undefined && state.ldapAuthType !== 'NONE') return `LDAP (${state.ldapAuthType})`;
  if (state.oidcAuthType !== undefined && state.oidcAuthType !== 'NONE') return `OIDC (${state.oidcAuthType})`;
  return 'SCRAM';
}

/** `role@db` or `role@db.collection`, sorted. */
export function rolesOf(state: DbUserState): string[] {
  return state.roles.map((r) => `${r.roleName}@${r.databaseName}${r.collectionName ? `.${r.collectionName}` : ''}`).sort();
}

/** `TYPE:name` per scope, or `all clusters` when the user is not scoped. */
export function scopesOf(state: DbUserState): string[] {
  return state.scopes.length === 0 ? ['all clusters'] : state.scopes.map((s) => `${s.type}:${s.name}`).sort();
}
