import { isAuditEnabled } from './activity.ts';
import type { Project, World } from './world.ts';

/**
 * Configuration snapshots of a project at an instant: database users, custom roles, IP access
 * list, auditing, maintenance window and encryption at rest, with the effects of attacks
 * that happened by then (granted roles, backdoor users, opened access list, auditing off).
 */

export type DatabaseUser = {
  username: string;
  databaseName: string;
  groupId: string;
  roles: Array<{ roleName: string; databaseName: string; collectionName?: string }>;
  scopes: Array<{ name: string; type: 'CLUSTER' }>;
  x509Type: 'NONE' | 'CUSTOMER' | 'MANAGED';
  awsIAMType: 'NONE' | 'USER' | 'ROLE';
  ldapAuthType: 'NONE' | 'GROUP' | 'USER';
  oidcAuthType: 'NONE' | 'IDP_GROUP' | 'USER';
  labels: Array<{ key: string; value: string }>;
  description?: string;
};

/** Database users of the project at `nowMs`, sorted by username. */
export function databaseUsersAt(world: World, project: Project, nowMs: number): DatabaseUser[] {
  const users = new Map<string, DatabaseUser>();
  for (const u of project.spec.users) {
    users.set(u.username, {
      username: u.username,
      databaseName: u.authDb,
      groupId: project.id,
      roles: u.roles.map((r) => ({ roleName: r.role, databaseName: r.db, ...(r.collection === undefined ? {} : { collectionName: r.collection }) })),
      scopes: u.scopes.map((name) => ({ name, type: 'CLUSTER' as const })),
      x509Type: u.mechanism === 'MONGODB-X509' ? 'CUSTOMER' : 'NONE',
      awsIAMType: u.mechanism === 'MONGODB-AWS' ? 'USER' : 'NONE',
      ldapAuthType: u.mechanism === 'PLAIN' ? 'USER' : 'NONE',
      oidcAuthType: u.mechanism === 'MONGODB-OIDC' ? 'USER' : 'NONE',
      labels: [{ key: 'kind', value: u.kind }],
    });
  }
  const applied = world.attacks.filter((a) => a.projectId === project.id && a.atMs <= nowMs).sort((a, b) => a.atMs - b.atMs);
  for (const { attack } of applied) {
    if (attack.type === 'role-grant') {
      const target = users.get(attack.target);
      if (target !== undefined && !target.roles.some((r) => r.roleName === attack.role.role && r.databaseName === attack.role.db)) target.roles.push({ roleName: attack.role.role, databaseName: attack.role.db });
    } else if (attack.type === 'backdoor-user' && !users.has(attack.newUser)) {
      users.set(attack.newUser, {
        username: attack.newUser, databaseName: 'admin', groupId: project.id, roles: [{ roleName: attack.role.role, databaseName: attack.role.db }], scopes: [],
        x509Type: 'NONE', awsIAMType: 'NONE', ldapAuthType: 'NONE', oidcAuthType: 'NONE', labels: [],
      });
    } else if (attack.type === 'drop-database') {
      // Dropping a database does not touch users; listed for completeness of the switch.
    }
  }
  return [...users.values()].sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
}

/** Custom roles of the project (a bare array, as Atlas returns it). */
export function customRolesOf(project: Project): unknown[] {
  return project.spec.customRoles.map((r) => ({ roleName: r.roleName, actions: r.actions, inheritedRoles: r.inheritedRoles }));
}

export type AccessListEntry = { cidrBlock: string; ipAddress?: string; comment: string; groupId: string };

/** The IP access list at `nowMs`. A /32 entry carries both cidrBlock and ipAddress. */
export function accessListAt(world: World, project: Project, nowMs: number): AccessListEntry[] {
  const entries = project.spec.accessList.map((e) => ({ cidr: e.cidr, comment: e.comment }));
  for (const { attack, atMs } of world.attacks) {
    if (attack.type === 'access-list-open' && attack.project === project.name && atMs <= nowMs && !entries.some((e) => e.cidr === attack.cidr)) entries.push({ cidr: attack.cidr, comment: '' });
  }
  return entries.map((e) => ({ cidrBlock: e.cidr, ...(e.cidr.endsWith('/32') ? { ipAddress: e.cidr.slice(0, -3) } : {}), comment: e.comment, groupId: project.id }));
}

/** The auditLog resource at `nowMs`. */
export function auditConfigAt(world: World, project: Project, nowMs: number): Record<string, unknown> {
  const audit = project.spec.audit;
  return {
    auditAuthorizationSuccess: audit.auditAuthorizationSuccess,
    ...(audit.auditFilter === undefined ? {} : { auditFilter: audit.auditFilter }),
    configurationType: audit.auditFilter === undefined ? 'NONE' : 'FILTER_JSON',
    enabled: isAuditEnabled(world, project, nowMs),
  };
}

/** The maintenanceWindow resource. */
export function maintenanceWindowOf(project: Project): Record<string, unknown> {
  return {
    autoDeferOnceEnabled: false,
    dayOfWeek: project.spec.maintenanceWindow.dayOfWeek,
    hourOfDay: project.spec.maintenanceWindow.hourOfDay,
    numberOfDeferrals: 0,
    protectedHours: { endHourOfDay: 0, startHourOfDay: 0 },
    startASAP: false,
    timeZoneId: 'UTC',
  };
}

/** The encryptionAtRest resource. */
export function encryptionAtRestOf(project: Project): Record<string, unknown> {
  const provider = project.spec.encryptionAtRest;
  return {
    awsKms: provider === 'AWS' ? { enabled: true, accessKeyID: undefined, customerMasterKeyID: 'arn:aws:kms:us-east-1:000000000000:key/5f2b6c1e-8d4a-4b7e-9c3f-1a2b3c4d5e6f', region: 'US_EAST_1', roleId: undefined, valid: true } : { enabled: false },
    azureKeyVault: provider === 'AZURE' ? { enabled: true, azureEnvironment: 'AZURE', keyVaultName: 'vault', valid: true } : { enabled: false },
    googleCloudKms: provider === 'GCP' ? { enabled: true, keyVersionResourceID: 'projects/p/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1', valid: true } : { enabled: false },
  };
}
