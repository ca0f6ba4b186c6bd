import type { Condition } from './panel-spec.ts';

/** Named document filters shared by several panels. */
export const authentication: Condition = { field: 'event.category', anyOf: ['authentication'] };
export const failure: Condition = { field: 'event.outcome', anyOf: ['failure'] };
export const success: Condition = { field: 'event.outcome', anyOf: ['success'] };
export const databaseSources: Condition = { field: 'event.dataset', anyOf: ['atlas.audit', 'atlas.access'] };
export const changeSources: Condition = { field: 'event.dataset', anyOf: ['atlas.audit', 'atlas.activity'] };
export const iam: Condition = { field: 'event.category', anyOf: ['iam'] };
export const posture: Condition = { field: 'event.dataset', anyOf: ['atlas.posture'] };
export const snapshotOf = (kind: string): Condition => ({ field: 'atlas.snapshot.kind', anyOf: [kind] });

/** Roles that grant administration or any-database access. */
export const privilegedRoles = [
  'atlasAdmin@admin',
  'root@admin',
  'clusterAdmin@admin',
  'userAdminAnyDatabase@admin',
  'dbAdminAnyDatabase@admin',
  'readWriteAnyDatabase@admin',
  'dbOwner@admin',
] as const;
export const privileged: Condition = { field: 'user.roles', anyOf: privilegedRoles };

/** Destructive operations: database, collection, index, user and role drops. */
export const drops: Condition = {
  field: 'event.action',
  anyOf: ['dropDatabase', 'dropCollection', 'dropIndex', 'dropUser', 'dropAllUsersFromDatabase', 'dropRole', 'dropAllRolesFromDatabase', 'MONGODB_USER_DELETED', 'MONGODB_ROLE_DELETED'],
};

/** Access-list and audit-configuration changes (control plane and posture diffs). */
export const networkAndAuditChanges: Condition = {
  or: [
    { field: 'event.action', anyOf: ['NETWORK_PERMISSION_ENTRY_ADDED', 'NETWORK_PERMISSION_ENTRY_UPDATED', 'NETWORK_PERMISSION_ENTRY_DELETED', 'AUDIT_LOG_CONFIGURATION_UPDATED', 'ORG_UI_IP_ACCESS_LIST_DISABLED', 'ORG_PUBLIC_API_ACCESS_LIST_NOT_REQUIRED'] },
    { field: 'atlas.diff.resource_type', anyOf: ['access_list_entry', 'audit_log'] },
  ],
};

/** Organisation identity settings: MFA, identity providers, UI access list. */
export const identitySettingChanges: Condition = {
  field: 'event.action',
  anyOf: ['ORG_TWO_FACTOR_AUTH_OPTIONAL', 'ORG_TWO_FACTOR_AUTH_REQUIRED', 'MULTI_FACTOR_AUTH_RESET_AUDIT', 'ORG_UI_IP_ACCESS_LIST_DISABLED', 'FEDERATION_SETTINGS_UPDATED', 'IDENTITY_PROVIDER_CREATED', 'USER_ROLES_CHANGED_AUDIT'],
};
