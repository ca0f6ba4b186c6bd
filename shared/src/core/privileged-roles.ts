/**
 * The one list of what makes a principal privileged, shared by the detection rules (their
 * default privileged role set) and the access review (its privileged flag).
 */

/** MongoDB built-in roles that administer users, roles, clusters or all data, on any database. */
export const privilegedBuiltinRoles = ['atlasAdmin', 'root', 'readWriteAnyDatabase', 'userAdminAnyDatabase', 'dbAdminAnyDatabase', 'clusterAdmin', 'clusterManager', 'restore'] as const;

/** Built-in roles that are privileged only when granted on the admin database. */
export const privilegedOnAdminRoles = ['userAdmin', 'dbOwner'] as const;

/** Atlas organisation and project roles that control users, network access or data access. */
export const privilegedAtlasRoles = ['ORG_OWNER', 'GROUP_OWNER', 'GROUP_DATA_ACCESS_ADMIN', 'GROUP_DATABASE_ACCESS_ADMIN'] as const;
