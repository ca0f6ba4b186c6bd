import type { EventCategory, EventType } from '../schema/event.ts';

/** How one audit atype maps to ECS: categories, and types on success / on failure. */
export type AtypeMapping = { group: AtypeGroup; category: EventCategory[]; type: EventType[]; failureType?: EventType[] };

/** The atype groups of the mongo audit schema. */
export const atypeGroups = ['authentication', 'authorization', 'users', 'roles', 'ddl', 'replication', 'cluster_parameters', 'process', 'unknown'] as const;
export type AtypeGroup = (typeof atypeGroups)[number];

const iamUser = (type: EventType): AtypeMapping => ({ group: 'users', category: ['iam'], type: ['user', type] });
const iamRole = (type: EventType): AtypeMapping => ({ group: 'roles', category: ['iam'], type: ['group', type] });
const ddl = (type: EventType): AtypeMapping => ({ group: 'ddl', category: ['database'], type: [type] });
const repl = (type: EventType): AtypeMapping => ({ group: 'replication', category: ['configuration', 'database'], type: [type] });

const mappings: Record<string, AtypeMapping> = {
  authenticate: { group: 'authentication', category: ['authentication'], type: ['start'] },
  logout: { group: 'authentication', category: ['authentication', 'session'], type: ['end'] },
  clientMetadata: { group: 'authentication', category: ['network', 'session'], type: ['connection', 'info'] },
  authCheck: { group: 'authorization', category: ['database'], type: ['access', 'allowed'], failureType: ['access', 'denied'] },
  createUser: iamUser('creation'),
  updateUser: iamUser('change'),
  dropUser: iamUser('deletion'),
  dropAllUsersFromDatabase: iamUser('deletion'),
  grantRolesToUser: { group: 'users', category: ['iam'], type: ['user', 'change', 'admin'] },
  revokeRolesFromUser: { group: 'users', category: ['iam'], type: ['user', 'change', 'admin'] },
  createRole: iamRole('creation'),
  updateRole: iamRole('change'),
  dropRole: iamRole('deletion'),
  dropAllRolesFromDatabase: iamRole('deletion'),
  grantRolesToRole: iamRole('change'),
  revokeRolesFromRole: iamRole('change'),
  grantPrivilegesToRole: iamRole('change'),
  revokePrivilegesFromRole: iamRole('change'),
  directAuthMutation: { group: 'roles', category: ['iam', 'database'], type: ['change', 'admin'] },
  createCollection: ddl('creation'),
  createDatabase: ddl('creation'),
  createIndex: ddl('creation'),
  importCollection: ddl('creation'),
  dropCollection: ddl('deletion'),
  dropDatabase: ddl('deletion'),
  dropIndex: ddl('deletion'),
  renameCollection: ddl('change'),
  replSetReconfig: repl('change'),
  enableSharding: repl('change'),
  shardCollection: repl('change'),
  refineCollectionShardKey: repl('change'),
  addShard: repl('creation'),
  removeShard: repl('deletion'),
  getClusterParameter: { group: 'cluster_parameters', category: ['configuration'], type: ['access'] },
  setClusterParameter: { group: 'cluster_parameters', category: ['configuration'], type: ['change'] },
  updateCachedClusterServerParameter: { group: 'cluster_parameters', category: ['configuration'], type: ['change'] },
  startup: { group: 'process', category: ['process'], type: ['start'] },
  shutdown: { group: 'process', category: ['process'], type: ['end'] },
  applicationMessage: { group: 'process', category: ['process'], type: ['info'] },
  rotateLog: { group: 'process', category: ['process'], type: ['change'] },
  auditConfigure: { group: 'process', category: ['configuration'], type: ['change'] },
};

const unknownMapping: AtypeMapping = { group: 'unknown', category: ['database'], type: ['info'] };

/** The ECS mapping of an audit atype; an unknown atype maps to database/info. */
export function mapAtype(atype: string): AtypeMapping {
  return Object.hasOwn(mappings, atype) ? (mappings[atype] as AtypeMapping) : unknownMapping;
}

/** Every atype with a specific mapping (for tests and docs). */
export const knownAtypes: readonly string[] = Object.keys(mappings);
