/** Admin-class actions: user and role management, drops, configuration, shutdown, access-list and audit-config changes. */

/** Audit atypes that are admin-class. */
export const adminAtypes: ReadonlySet<string> = new Set([
  'createUser', 'updateUser', 'dropUser', 'dropAllUsersFromDatabase', 'grantRolesToUser', 'revokeRolesFromUser',
  'createRole', 'updateRole', 'dropRole', 'dropAllRolesFromDatabase', 'grantRolesToRole', 'revokeRolesFromRole',
  'grantPrivilegesToRole', 'revokePrivilegesFromRole', 'directAuthMutation',
  'dropDatabase', 'dropCollection', 'renameCollection', 'shutdown', 'replSetReconfig', 'setClusterParameter',
  'addShard', 'removeShard', 'enableSharding', 'shardCollection', 'auditConfigure',
]);

/** Atlas activity event types that are admin-class. */
export const adminEventTypes: ReadonlySet<string> = new Set([
  'MONGODB_USER_ADDED', 'MONGODB_USER_DELETED', 'MONGODB_USER_UPDATED', 'MONGODB_USER_X509_CERT_CREATED', 'MONGODB_USER_X509_CERT_REVOKED',
  'MONGODB_ROLE_ADDED', 'MONGODB_ROLE_DELETED', 'MONGODB_ROLE_UPDATED',
  'NETWORK_PERMISSION_ENTRY_ADDED', 'NETWORK_PERMISSION_ENTRY_REMOVED', 'NETWORK_PERMISSION_ENTRY_UPDATED',
  'PRIVATE_NETWORK_ENDPOINT_ENTRY_ADDED', 'PRIVATE_NETWORK_ENDPOINT_ENTRY_REMOVED', 'PRIVATE_NETWORK_ENDPOINT_ENTRY_UPDATED',
  'AUDIT_LOG_CONFIGURATION_UPDATED', 'ENCRYPTION_AT_REST_CONFIGURATION_UPDATED', 'USER_SECURITY_SETTINGS_UPDATED',
  'USER_ROLES_CHANGED_AUDIT', 'TEAM_ROLES_MODIFIED', 'INVITED_TO_ORG', 'INVITED_TO_GROUP', 'REMOVED_FROM_ORG', 'REMOVED_FROM_GROUP',
  'API_KEY_CREATED', 'API_KEY_DELETED', 'API_KEY_ROLES_CHANGED', 'API_KEY_ACCESS_LIST_ENTRY_ADDED', 'API_KEY_ACCESS_LIST_ENTRY_DELETED',
  'SERVICE_ACCOUNT_CREATED', 'SERVICE_ACCOUNT_DELETED', 'SERVICE_ACCOUNT_ROLES_CHANGED', 'SERVICE_ACCOUNT_SECRET_ADDED',
  'ORG_TWO_FACTOR_AUTH_OPTIONAL', 'ORG_TWO_FACTOR_AUTH_REQUIRED', 'ORG_PUBLIC_API_ACCESS_LIST_NOT_REQUIRED', 'ORG_UI_IP_ACCESS_LIST_DISABLED',
  'ALERT_CONFIG_DISABLED_AUDIT', 'ALERT_CONFIG_DELETED_AUDIT', 'CLUSTER_DELETE_SUBMITTED', 'ATTEMPT_KILLOP_AUDIT',
]);

/** The subset that also feeds unexpected-role, network-exposure or audit-impaired: raised to High off hours. */
export const sensitiveActions: ReadonlySet<string> = new Set([
  'createUser', 'updateUser', 'grantRolesToUser', 'grantRolesToRole', 'grantPrivilegesToRole', 'directAuthMutation', 'auditConfigure',
  'USER_ROLES_CHANGED_AUDIT', 'TEAM_ROLES_MODIFIED', 'API_KEY_ROLES_CHANGED', 'SERVICE_ACCOUNT_ROLES_CHANGED', 'MONGODB_USER_ADDED', 'MONGODB_USER_UPDATED',
  'NETWORK_PERMISSION_ENTRY_ADDED', 'NETWORK_PERMISSION_ENTRY_UPDATED', 'ORG_PUBLIC_API_ACCESS_LIST_NOT_REQUIRED', 'ORG_UI_IP_ACCESS_LIST_DISABLED',
  'AUDIT_LOG_CONFIGURATION_UPDATED', 'ALERT_CONFIG_DISABLED_AUDIT', 'ALERT_CONFIG_DELETED_AUDIT',
]);
