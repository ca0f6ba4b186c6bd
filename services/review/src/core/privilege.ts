import { privilegedBuiltinRoles, privilegedOnAdminRoles } from '@atlas-audit/shared/core/privileged-roles';
import type { CustomRoleState, DbUserState } from './posture.ts';

/** Built-in roles that grant administration of users, roles, clusters or all data. */
export const PRIVILEGED_BUILTIN_ROLES: ReadonlySet<string> = new Set(privilegedBuiltinRoles);

/** Roles privileged only when granted on the admin database. */
const PRIVILEGED_ON_ADMIN: ReadonlySet<string> = new Set(privilegedOnAdminRoles);

/** Custom-role actions that administer users or roles (Atlas upper-snake action names). */
export const USER_ADMIN_ACTIONS: ReadonlySet<string> = new Set(['CREATE_USER', 'DROP_USER', 'UPDATE_USER', 'GRANT_ROLE', 'REVOKE_ROLE', 'CREATE_ROLE', 'DROP_ROLE', 'UPDATE_ROLE', 'CHANGE_PASSWORD', 'CHANGE_CUSTOM_DATA', 'AUTH_SCHEMA_UPGRADE']);

function isPrivilegedCustomRole(role: CustomRoleState | undefined, seen: Set<string>, customRoles: ReadonlyMap<string, CustomRoleState>): boolean {
  if (role === undefined || seen.has(role.roleName)) return false;
  seen.add(role.roleName);
  if (role.actions.some((a) => USER_ADMIN_ACTIONS.has(a.action))) return true;
  return role.inheritedRoles.some((r) => PRIVILEGED_BUILTIN_ROLES.has(r.role) || (r.db === 'admin' && PRIVILEGED_ON_ADMIN.has(r.role)) || isPrivilegedCustomRole(customRoles.get(r.role), seen, customRoles));
}

/**
 * The roles that make a database user privileged (empty when it is not): privileged built-ins,
 * userAdmin/dbOwner on admin, and custom roles that hold user/role admin actions or inherit a
 * privileged role (followed transitively, cycles ignored).
 */
export function privilegedRolesOf(state: DbUserState, customRoles: ReadonlyMap<string, CustomRoleState>): string[] {
  const out: string[] = [];
  for (const r of state.roles) {
    const label = `${r.roleName}@${r.databaseName}`;
    if (PRIVILEGED_BUILTIN_ROLES.has(r.roleName) || (r.databaseName === 'admin' && PRIVILEGED_ON_ADMIN.has(r.roleName))) out.push(label);
    else if (isPrivilegedCustomRole(customRoles.get(r.roleName), new Set(), customRoles)) out.push(label);
  }
  return [...new Set(out)].sort();
}
