import type { DashboardSpec, PanelSpec, SavedSearchSpec } from './panel-spec.ts';
import { authentication, changeSources, databaseSources, drops, failure, iam, networkAndAuditChanges, privileged, success } from './conditions.ts';
import { sharedResponsibilityDashboard } from './shared-responsibility.ts';

const ts = { kind: 'date_histogram', field: '@timestamp' } as const;
const count = { kind: 'count' } as const;

/** Saved searches (Discover views), also embedded in dashboards. */
export const savedSearches: readonly SavedSearchSpec[] = [
  { id: 'all-events', title: 'Atlas audit: all events', dataView: 'events', where: [], columns: ['event.dataset', 'event.action', 'event.outcome', 'user.name', 'source.ip', 'host.name'] },
  { id: 'auth-failures', title: 'Atlas audit: authentication failures', dataView: 'events', where: [authentication, failure], columns: ['user.name', 'user.domain', 'source.ip', 'atlas.mechanism', 'event.reason', 'host.name'] },
  { id: 'admin-changes', title: 'Atlas audit: user, role and configuration changes', dataView: 'events', where: [{ or: [iam, networkAndAuditChanges] }], columns: ['event.action', 'user.name', 'user.target.name', 'group.name', 'source.ip', 'event.outcome'] },
  { id: 'recent-alerts', title: 'Atlas audit: recent alerts', dataView: 'alerts', where: [], columns: ['rule.name', 'severity', 'risk_score', 'message', 'atlas.alert.explanation', 'user.name', 'source.ip'] },
  { id: 'dead-letters', title: 'Atlas audit: dead-letter records', dataView: 'dlq', where: [], columns: ['origin.source', 'origin.host', 'reason'] },
];

const overview: DashboardSpec = {
  id: 'overview',
  title: 'Atlas audit: Overview',
  description: 'Every audit, access, activity and posture event: volume by source and outcome, top principals and source IPs, failures.',
  dataView: 'events',
  timeFrom: 'now-24h',
  panels: [
    { id: 'ov-total', title: 'Events', dataView: 'events', visual: 'metric', where: [], buckets: [], metrics: [count], expect: { minRows: 1, minValue: 100 }, width: 12, height: 8 },
    { id: 'ov-failures', title: 'Failed events', dataView: 'events', visual: 'metric', where: [failure], buckets: [], metrics: [count], expect: { minRows: 1, minValue: 1 }, width: 12, height: 8 },
    { id: 'ov-principals-count', title: 'Distinct principals', dataView: 'events', visual: 'metric', where: [], buckets: [], metrics: [{ kind: 'unique_count', field: 'user.name' }], expect: { minRows: 1, minValue: 2 }, width: 12, height: 8 },
    { id: 'ov-ips-count', title: 'Distinct source IPs', dataView: 'events', visual: 'metric', where: [], buckets: [], metrics: [{ kind: 'unique_count', field: 'source.ip' }], expect: { minRows: 1, minValue: 2 }, width: 12, height: 8 },
    { id: 'ov-by-source', title: 'Events over time by source', dataView: 'events', visual: 'bar_stacked', where: [], buckets: [ts, { kind: 'terms', field: 'event.dataset', size: 5 }], metrics: [count], expect: { minRows: 10 }, width: 24 },
    { id: 'ov-by-outcome', title: 'Events over time by outcome', dataView: 'events', visual: 'bar_stacked', where: [], buckets: [ts, { kind: 'terms', field: 'event.outcome', size: 3 }], metrics: [count], expect: { minRows: 10 }, width: 24 },
    { id: 'ov-top-principals', title: 'Top principals', dataView: 'events', visual: 'table', where: [], buckets: [{ kind: 'terms', field: 'user.name', size: 10, label: 'Principal' }], metrics: [count, { kind: 'unique_count', field: 'source.ip', label: 'Source IPs' }], expect: { minRows: 3, includes: ['orders-app'] }, width: 16 },
    { id: 'ov-top-ips', title: 'Top source IPs', dataView: 'events', visual: 'table', where: [], buckets: [{ kind: 'terms', field: 'source.ip', size: 10, label: 'Source IP' }], metrics: [count, { kind: 'unique_count', field: 'user.name', label: 'Principals' }], expect: { minRows: 3 }, width: 16 },
    { id: 'ov-failures-by-action', title: 'Failures by action and principal', dataView: 'events', visual: 'table', where: [failure], buckets: [{ kind: 'terms', field: 'event.action', size: 10, label: 'Action' }, { kind: 'terms', field: 'user.name', size: 5, label: 'Principal' }], metrics: [count], expect: { minRows: 2, includes: ['authenticate'] }, width: 16 },
    { id: 'ov-search', kind: 'search', searchId: 'all-events', width: 48, height: 15 },
  ],
};

const auth: DashboardSpec = {
  id: 'authentication',
  title: 'Atlas audit: Authentication and access',
  description: 'Database authentications from audit logs and access history: successes and failures over time, by mechanism, principal and source IP, and source IPs by first appearance.',
  dataView: 'events',
  timeFrom: 'now-24h',
  panels: [
    { id: 'auth-over-time', title: 'Authentications over time by outcome', dataView: 'events', visual: 'bar_stacked', where: [authentication, databaseSources], buckets: [ts, { kind: 'terms', field: 'event.outcome', size: 3 }], metrics: [count], expect: { minRows: 10 } , width: 32 },
    { id: 'auth-mechanism', title: 'By mechanism', dataView: 'events', visual: 'donut', where: [authentication, databaseSources], buckets: [{ kind: 'terms', field: 'atlas.mechanism', size: 5 }], metrics: [count], expect: { minRows: 1, includes: ['SCRAM-SHA-256'] }, width: 16 },
    { id: 'auth-fail-principal', title: 'Failures by principal', dataView: 'events', visual: 'table', where: [authentication, failure], buckets: [{ kind: 'terms', field: 'user.name', size: 10, label: 'Principal' }], metrics: [count, { kind: 'unique_count', field: 'source.ip', label: 'Source IPs' }], expect: { minRows: 1, includes: ['orders-app'] }, width: 16 },
    { id: 'auth-fail-ip', title: 'Failures by source IP', dataView: 'events', visual: 'table', where: [authentication, failure], buckets: [{ kind: 'terms', field: 'source.ip', size: 10, label: 'Source IP' }], metrics: [count, { kind: 'unique_count', field: 'user.name', label: 'Principals tried' }], expect: { minRows: 1, includes: ['185.220.101.4'] }, width: 16 },
    { id: 'auth-fail-reason', title: 'Failure reasons', dataView: 'events', visual: 'table', where: [authentication, failure], buckets: [{ kind: 'terms', field: 'event.reason', size: 10, label: 'Reason' }], metrics: [count], expect: { minRows: 1, includes: ['AuthenticationFailed'] }, width: 16 },
    { id: 'auth-new-ips', title: 'Source IPs by first appearance in range (newest first)', dataView: 'events', visual: 'table', where: [authentication, success], buckets: [{ kind: 'terms', field: 'source.ip', size: 20, label: 'Source IP', orderBy: 0 }], metrics: [{ kind: 'min', field: '@timestamp', label: 'First seen' }, { kind: 'max', field: '@timestamp', label: 'Last seen' }, { kind: 'unique_count', field: 'user.name', label: 'Principals' }], expect: { minRows: 3 }, width: 24 },
    { id: 'auth-principal-ip', title: 'Successful logins by principal and source IP', dataView: 'events', visual: 'table', where: [authentication, success], buckets: [{ kind: 'terms', field: 'user.name', size: 20, label: 'Principal' }, { kind: 'terms', field: 'source.ip', size: 10, label: 'Source IP' }], metrics: [count, { kind: 'max', field: '@timestamp', label: 'Last login' }], expect: { minRows: 4 }, width: 24 },
    { id: 'auth-search', kind: 'search', searchId: 'auth-failures', width: 48, height: 15 },
  ],
};

const admin: DashboardSpec = {
  id: 'admin',
  title: 'Atlas audit: Admin and privilege changes',
  description: 'User and role management, drops, access-list and audit-configuration changes, by actor and hour.',
  dataView: 'events',
  timeFrom: 'now-24h',
  panels: [
    { id: 'adm-over-time', title: 'User and role management over time', dataView: 'events', visual: 'bar_stacked', where: [iam, changeSources], buckets: [ts, { kind: 'terms', field: 'event.action', size: 10 }], metrics: [count], expect: { minRows: 5 }, width: 24 },
    { id: 'adm-by-actor', title: 'Changes by actor', dataView: 'events', visual: 'table', where: [iam, changeSources], buckets: [{ kind: 'terms', field: 'user.name', size: 10, label: 'Actor' }, { kind: 'terms', field: 'event.action', size: 10, label: 'Action' }], metrics: [count, { kind: 'max', field: '@timestamp', label: 'Last' }], expect: { minRows: 3, includes: ['alice'] }, width: 24 },
    { id: 'adm-drops', title: 'Drops (databases, collections, users, roles)', dataView: 'events', visual: 'table', where: [drops], buckets: [{ kind: 'terms', field: 'event.action', size: 10, label: 'Action' }, { kind: 'terms', field: 'user.name', size: 10, label: 'Actor' }], metrics: [count, { kind: 'max', field: '@timestamp', label: 'Last' }], expect: { minRows: 1, includes: ['dropCollection'] }, width: 24 },
    { id: 'adm-network-audit', title: 'Access-list and audit-configuration changes', dataView: 'events', visual: 'table', where: [networkAndAuditChanges], buckets: [{ kind: 'terms', field: 'event.action', size: 10, label: 'Change' }, { kind: 'terms', field: 'cloud.project.id', size: 10, label: 'Project' }], metrics: [count, { kind: 'max', field: '@timestamp', label: 'Last' }], expect: { minRows: 2, includes: ['NETWORK_PERMISSION_ENTRY_ADDED'] }, width: 24 },
    { id: 'adm-heatmap', title: 'Changes by actor and hour', dataView: 'events', visual: 'heatmap', where: [{ or: [iam, networkAndAuditChanges] }, changeSources], buckets: [{ kind: 'date_histogram', field: '@timestamp', interval: '1h' }, { kind: 'terms', field: 'user.name', size: 10 }], metrics: [count], expect: { minRows: 5 }, width: 48 },
    { id: 'adm-search', kind: 'search', searchId: 'admin-changes', width: 48, height: 15 },
  ],
};

const detections: DashboardSpec = {
  id: 'detections',
  title: 'Atlas audit: Detections',
  description: 'Detection alerts over time by rule and severity, and the most recent alerts with their explanation.',
  dataView: 'alerts',
  timeFrom: 'now-7d',
  panels: [
    { id: 'det-total', title: 'Alerts', dataView: 'alerts', visual: 'metric', where: [], buckets: [], metrics: [count], expect: { minRows: 1, minValue: 1 }, width: 12, height: 8 },
    { id: 'det-high', title: 'High and critical alerts', dataView: 'alerts', visual: 'metric', where: [{ field: 'severity', anyOf: ['high', 'critical'] }], buckets: [], metrics: [count], expect: { minRows: 1, minValue: 1 }, width: 12, height: 8 },
    { id: 'det-severity', title: 'By severity', dataView: 'alerts', visual: 'donut', where: [], buckets: [{ kind: 'terms', field: 'severity', size: 4 }], metrics: [count], expect: { minRows: 2, includes: ['high'] }, width: 24, height: 8 },
    { id: 'det-over-time', title: 'Alerts over time by rule', dataView: 'alerts', visual: 'bar_stacked', where: [], buckets: [ts, { kind: 'terms', field: 'rule.name', size: 10 }], metrics: [count], expect: { minRows: 1 }, width: 24 },
    { id: 'det-by-rule-severity', title: 'Alerts by rule and severity', dataView: 'alerts', visual: 'table', where: [], buckets: [{ kind: 'terms', field: 'rule.name', size: 20, label: 'Rule' }, { kind: 'terms', field: 'severity', size: 4, label: 'Severity' }], metrics: [count, { kind: 'max', field: 'risk_score', label: 'Max risk' }], expect: { minRows: 2, includes: ['Repeated authentication failures'] }, width: 24 },
    { id: 'det-recent', title: 'Recent alerts with explanation', dataView: 'alerts', visual: 'table', where: [], buckets: [{ kind: 'terms', field: 'atlas.alert.explanation.keyword', size: 20, label: 'Explanation', orderBy: 0 }, { kind: 'terms', field: 'rule.name', size: 1, label: 'Rule' }], metrics: [{ kind: 'max', field: '@timestamp', label: 'Time' }], expect: { minRows: 2 }, width: 48 },
    { id: 'det-search', kind: 'search', searchId: 'recent-alerts', width: 48, height: 15 },
  ],
};

const review: DashboardSpec = {
  id: 'access-review',
  title: 'Atlas audit: Access review',
  description: 'Database principals: their roles (posture snapshots), last successful login, dormant principals (roles but no login in range) and privileged principals.',
  dataView: 'events',
  timeFrom: 'now-7d',
  panels: [
    {
      id: 'rev-principals',
      title: 'Principals: roles, last login, dormant when "Last login" is empty',
      dataView: 'events',
      visual: 'table',
      where: [{ or: [{ field: 'atlas.snapshot.kind', anyOf: ['database_user'] }, { field: 'event.category', anyOf: ['authentication'] }] }],
      buckets: [{ kind: 'terms', field: 'user.name', size: 100, label: 'Principal' }],
      metrics: [
        { kind: 'max', field: '@timestamp', label: 'Last seen in posture', where: [{ field: 'atlas.snapshot.kind', anyOf: ['database_user'] }] },
        { kind: 'max', field: '@timestamp', label: 'Last login', where: [authentication, success] },
        { kind: 'unique_count', field: 'source.ip', label: 'Source IPs', where: [authentication, success] },
      ],
      expect: { minRows: 4, includes: ['orders-app', 'alice'] },
      width: 48,
    },
    { id: 'rev-roles', title: 'Roles held (latest posture snapshots)', dataView: 'events', visual: 'table', where: [{ field: 'atlas.snapshot.kind', anyOf: ['database_user'] }], buckets: [{ kind: 'terms', field: 'user.name', size: 100, label: 'Principal' }, { kind: 'terms', field: 'user.roles', size: 20, label: 'Role' }], metrics: [{ kind: 'max', field: '@timestamp', label: 'Last snapshot' }], expect: { minRows: 4, includes: ['alice'] }, width: 24 },
    { id: 'rev-privileged', title: 'Privileged principals', dataView: 'events', visual: 'table', where: [privileged], buckets: [{ kind: 'terms', field: 'user.name', size: 50, label: 'Principal' }, { kind: 'terms', field: 'user.roles', size: 10, label: 'Role' }], metrics: [count, { kind: 'max', field: '@timestamp', label: 'Last activity' }], expect: { minRows: 1, includes: ['alice'] }, width: 24 },
    { id: 'rev-changes', title: 'Grants and user changes', dataView: 'events', visual: 'table', where: [iam, changeSources], buckets: [{ kind: 'terms', field: 'user.target.name', size: 50, label: 'Principal changed' }, { kind: 'terms', field: 'event.action', size: 10, label: 'Change' }], metrics: [count, { kind: 'max', field: '@timestamp', label: 'Last' }], expect: { minRows: 2 }, width: 48 },
  ],
};

const pipeline: DashboardSpec = {
  id: 'pipeline-health',
  title: 'Atlas audit: Pipeline health',
  description: 'Coverage per host and source, freshness (event time vs ingest time), and dead-letter records. Consumer lag is a Prometheus metric of each service (/metrics), not stored in Elasticsearch.',
  dataView: 'events',
  timeFrom: 'now-24h',
  panels: [
    { id: 'pipe-coverage', title: 'Coverage per host and source', dataView: 'events', visual: 'table', where: [{ field: 'host.name', exists: true }], buckets: [{ kind: 'terms', field: 'host.name', size: 50, label: 'Host' }, { kind: 'terms', field: 'event.dataset', size: 5, label: 'Source' }], metrics: [count, { kind: 'max', field: '@timestamp', label: 'Latest event' }], expect: { minRows: 3 }, width: 24 },
    { id: 'pipe-freshness', title: 'Freshness per source', dataView: 'events', visual: 'table', where: [], buckets: [{ kind: 'terms', field: 'event.dataset', size: 5, label: 'Source' }], metrics: [{ kind: 'max', field: '@timestamp', label: 'Latest event time' }, { kind: 'max', field: 'event.ingested', label: 'Latest ingest time' }, count], expect: { minRows: 4, includes: ['atlas.audit', 'atlas.access', 'atlas.activity', 'atlas.posture'] }, width: 24 },
    { id: 'pipe-volume', title: 'Events per source over time', dataView: 'events', visual: 'line', where: [], buckets: [ts, { kind: 'terms', field: 'event.dataset', size: 5 }], metrics: [count], expect: { minRows: 10 }, width: 24 },
    { id: 'pipe-dlq-total', title: 'Dead-letter records', dataView: 'dlq', visual: 'metric', where: [], buckets: [], metrics: [count], expect: { minRows: 1, minValue: 1 }, width: 12, height: 8 },
    { id: 'pipe-dlq-time', title: 'Dead letters over time by source', dataView: 'dlq', visual: 'bar_stacked', where: [], buckets: [{ kind: 'date_histogram', field: 'timestamp' }, { kind: 'terms', field: 'origin.source', size: 5 }], metrics: [count], expect: { minRows: 2 }, width: 24 },
    { id: 'pipe-dlq-reasons', title: 'Dead letters by reason and host', dataView: 'dlq', visual: 'table', where: [], buckets: [{ kind: 'terms', field: 'reason.keyword', size: 20, label: 'Reason' }, { kind: 'terms', field: 'origin.host', size: 10, label: 'Host' }], metrics: [count], expect: { minRows: 2 }, width: 24 },
    { id: 'pipe-dlq-search', kind: 'search', searchId: 'dead-letters', width: 48, height: 12 },
  ],
};

/** Every dashboard, in menu order. */
export const dashboardSpecs: readonly DashboardSpec[] = [overview, auth, admin, detections, review, pipeline, sharedResponsibilityDashboard];

/** Every Lens panel of every dashboard. */
export function allLensPanels(): PanelSpec[] {
  return dashboardSpecs.flatMap((d) => d.panels.filter((p): p is PanelSpec => !('kind' in p)));
}
