import type { Condition, DashboardPanel, DashboardSpec, Metric, PanelSpec } from './panel-spec.ts';
import { toKql } from './panel-spec.ts';
import { authentication, databaseSources, failure, identitySettingChanges, privileged, snapshotOf } from './conditions.ts';

/**
 * The customer's side of Atlas's shared responsibility model, one row per duty: what the
 * customer must do, the checks that show whether it is done, and each check's current state
 * as a metric over the posture snapshots and events in the time range.
 */
export type Check = { id: string; title: string; healthy: string; where: readonly Condition[]; metric: Metric; minValue: number };
export type Duty = { id: string; title: string; duty: string; checks: readonly Check[] };

const resources: Metric = { kind: 'unique_count', field: 'atlas.snapshot.resource' };
const projectsCount: Metric = { kind: 'unique_count', field: 'cloud.project.id' };
const events: Metric = { kind: 'count' };

export const duties: readonly Duty[] = [
  {
    id: 'identity',
    title: 'Identity and access',
    duty: 'Manage Atlas users, API keys and federated identity; require MFA; grant least privilege.',
    checks: [
      { id: 'privileged-users', title: 'Database users with admin or any-database roles', healthy: 'as few as possible, each justified', where: [snapshotOf('database_user'), privileged], metric: resources, minValue: 1 },
      { id: 'identity-changes', title: 'Organisation identity and role changes', healthy: 'each one expected (MFA, IdP, UI access list, org roles)', where: [identitySettingChanges], metric: events, minValue: 1 },
      { id: 'ui-login-failures', title: 'Failed Atlas UI logins', healthy: 'low and explained', where: [{ field: 'event.action', anyOf: ['UNSUCCESSFUL_LOGIN_AUDIT', 'ACCOUNT_LOCKED_AUDIT'] }], metric: events, minValue: 1 },
    ],
  },
  {
    id: 'database-access',
    title: 'Database access',
    duty: 'Create database users and custom roles with only the privileges they need; review who authenticates and from where.',
    checks: [
      { id: 'database-users', title: 'Database users', healthy: 'matches the approved list', where: [snapshotOf('database_user')], metric: resources, minValue: 2 },
      { id: 'custom-roles', title: 'Custom roles', healthy: 'each reviewed', where: [snapshotOf('custom_role')], metric: resources, minValue: 1 },
      { id: 'auth-failures', title: 'Failed database authentications', healthy: 'low; bursts are investigated', where: [authentication, failure, databaseSources], metric: events, minValue: 1 },
    ],
  },
  {
    id: 'encryption',
    title: 'Encryption',
    duty: 'Decide on encryption at rest with customer-managed keys (AWS KMS, Azure Key Vault, Google Cloud KMS) and rotate them.',
    checks: [
      {
        id: 'cmk-enabled',
        title: 'Projects with customer-managed keys',
        healthy: 'every project that holds regulated data',
        where: [snapshotOf('encryption_at_rest'), { or: [{ field: 'atlas.snapshot.state.awsKms.enabled', anyOf: [true] }, { field: 'atlas.snapshot.state.azureKeyVault.enabled', anyOf: [true] }, { field: 'atlas.snapshot.state.googleCloudKms.enabled', anyOf: [true] }] }],
        metric: projectsCount,
        minValue: 1,
      },
      { id: 'encryption-observed', title: 'Projects with encryption settings observed', healthy: 'every project', where: [snapshotOf('encryption_at_rest')], metric: projectsCount, minValue: 1 },
    ],
  },
  {
    id: 'auditing',
    title: 'Auditing',
    duty: 'Enable database auditing, keep the audit filter meaningful, and regularly review the logs for unexpected activity.',
    checks: [
      { id: 'audit-enabled', title: 'Projects with database auditing enabled', healthy: 'every project', where: [snapshotOf('audit_log'), { field: 'atlas.snapshot.state.enabled', anyOf: [true] }], metric: projectsCount, minValue: 1 },
      { id: 'audit-config-changes', title: 'Audit configuration changes', healthy: 'each one expected', where: [{ or: [{ field: 'event.action', anyOf: ['AUDIT_LOG_CONFIGURATION_UPDATED'] }, { field: 'atlas.diff.resource_type', anyOf: ['audit_log'] }] }], metric: events, minValue: 1 },
      { id: 'hosts-reporting', title: 'Hosts sending audit logs', healthy: 'every cluster member', where: [{ field: 'event.dataset', anyOf: ['atlas.audit'] }], metric: { kind: 'unique_count', field: 'host.name' }, minValue: 2 },
    ],
  },
  {
    id: 'network',
    title: 'Network access',
    duty: 'Restrict the IP access list (or use private endpoints / peering); never leave 0.0.0.0/0 open.',
    checks: [
      { id: 'open-entries', title: 'Access-list entries open to the internet (0.0.0.0/0)', healthy: '0', where: [snapshotOf('access_list_entry'), { field: 'atlas.snapshot.state.cidrBlock', anyOf: ['0.0.0.0/0'] }], metric: resources, minValue: 1 },
      { id: 'access-entries', title: 'Access-list entries', healthy: 'short and each one documented', where: [snapshotOf('access_list_entry')], metric: resources, minValue: 2 },
      { id: 'access-changes', title: 'Access-list changes', healthy: 'each one expected', where: [{ or: [{ field: 'event.action', anyOf: ['NETWORK_PERMISSION_ENTRY_ADDED', 'NETWORK_PERMISSION_ENTRY_UPDATED', 'NETWORK_PERMISSION_ENTRY_DELETED'] }, { field: 'atlas.diff.resource_type', anyOf: ['access_list_entry'] }] }], metric: events, minValue: 1 },
    ],
  },
  {
    id: 'maintenance',
    title: 'Maintenance',
    duty: 'Set a maintenance window that suits the workload, and keep drivers and application dependencies current.',
    checks: [
      { id: 'window-set', title: 'Projects with a maintenance window observed', healthy: 'every project', where: [snapshotOf('maintenance_window')], metric: projectsCount, minValue: 1 },
      { id: 'window-fixed', title: 'Projects with a fixed window (not start-ASAP)', healthy: 'every production project', where: [snapshotOf('maintenance_window'), { field: 'atlas.snapshot.state.startASAP', anyOf: [false] }], metric: projectsCount, minValue: 1 },
    ],
  },
];

function markdownOf(duty: Duty): string {
  const lines = [`### ${duty.title}`, '', `**Customer duty:** ${duty.duty}`, '', '| Check | Healthy when | Query |', '|---|---|---|'];
  for (const check of duty.checks) lines.push(`| ${check.title} | ${check.healthy} | \`${toKql(check.where).replaceAll('|', '\\|')}\` |`);
  return lines.join('\n');
}

/** The Lens metric panel of one check. */
export function checkPanel(duty: Duty, check: Check): PanelSpec {
  return { id: `sr-${duty.id}-${check.id}`, title: check.title, dataView: 'events', visual: 'metric', where: check.where, buckets: [], metrics: [check.metric], expect: { minRows: 1, minValue: check.minValue }, width: 12, height: 8 };
}

const panels: DashboardPanel[] = duties.flatMap((duty): DashboardPanel[] => [
  { id: `sr-${duty.id}-md`, kind: 'markdown', title: duty.title, markdown: markdownOf(duty), width: 48 - 12 * Math.min(3, duty.checks.length), height: 8 },
  ...duty.checks.map((check) => checkPanel(duty, check)),
]);

panels.push({
  id: 'sr-posture-table',
  title: 'Posture resources by kind and project',
  dataView: 'events',
  visual: 'table',
  where: [{ field: 'event.dataset', anyOf: ['atlas.posture'] }, { field: 'event.kind', anyOf: ['state'] }],
  buckets: [{ kind: 'terms', field: 'atlas.snapshot.kind', size: 10, label: 'Resource kind' }, { kind: 'terms', field: 'cloud.project.id', size: 20, label: 'Project' }],
  metrics: [{ kind: 'unique_count', field: 'atlas.snapshot.resource', label: 'Resources' }, { kind: 'max', field: '@timestamp', label: 'Latest snapshot' }],
  expect: { minRows: 6, includes: ['database_user', 'access_list_entry', 'audit_log', 'encryption_at_rest', 'maintenance_window', 'custom_role'] },
  width: 48,
});

export const sharedResponsibilityDashboard: DashboardSpec = {
  id: 'shared-responsibility',
  title: 'Atlas audit: Shared responsibility',
  description: "The customer's duties under Atlas's shared responsibility model (identity and access, database access, encryption, auditing, network access, maintenance), each with its checks and their current state.",
  dataView: 'events',
  timeFrom: 'now-24h',
  panels,
};
