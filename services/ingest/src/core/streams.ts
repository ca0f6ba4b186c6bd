/**
 * A stream is one independently checkpointed unit of polling: one audit log of one host, the
 * access history of one cluster, the activity feed of one project or org, or the posture of
 * one project. Its key names its checkpoint.
 */

export const streamKinds = ['audit', 'access', 'project-events', 'org-events', 'posture'] as const;
export type StreamKind = (typeof streamKinds)[number];

export type AuditStream = { kind: 'audit'; key: string; project: string; host: string; logName: AuditLogName; cluster?: string | undefined };
export type AccessStream = { kind: 'access'; key: string; project: string; cluster: string };
export type ProjectEventsStream = { kind: 'project-events'; key: string; project: string };
export type OrgEventsStream = { kind: 'org-events'; key: string; org: string };
export type PostureStream = { kind: 'posture'; key: string; project: string };
export type Stream = AuditStream | AccessStream | ProjectEventsStream | OrgEventsStream | PostureStream;

export const auditLogNames = ['mongodb-audit-log', 'mongos-audit-log'] as const;
export type AuditLogName = (typeof auditLogNames)[number];

/** One process as listed by `GET /groups/{id}/processes` (the fields discovery uses). */
export type DiscoveredProcess = { hostname: string; typeName: string; userAlias?: string | undefined; replicaSetName?: string | undefined };

/** The audit log a process writes: mongos processes write mongos-audit-log, all others mongodb-audit-log. */
export function auditLogNameOf(typeName: string): AuditLogName {
  return typeName === 'SHARD_MONGOS' ? 'mongos-audit-log' : 'mongodb-audit-log';
}

/**
 * The cluster name of a process: the first label of its customer-facing alias before
 * `-shard-`/`-config-` (`cluster0-shard-00-01.x.mongodb.net` → `cluster0`), if any.
 */
export function clusterNameOf(process: DiscoveredProcess, clusterNames: readonly string[]): string | undefined {
  const alias = (process.userAlias ?? process.hostname).split('.')[0] ?? '';
  const byPrefix = [...clusterNames].sort((a, b) => b.length - a.length).find((name) => alias.toLowerCase().startsWith(`${name.toLowerCase()}-`));
  if (byPrefix !== undefined) return byPrefix;
  const match = /^(.+?)-(?:shard|config)-/i.exec(alias);
  return match?.[1];
}

/** The audit streams of a project's processes: one per (host, log name), duplicates removed. */
export function auditStreamsOf(project: string, processes: readonly DiscoveredProcess[], clusterNames: readonly string[]): AuditStream[] {
  const out = new Map<string, AuditStream>();
  for (const process of processes) {
    if (process.typeName === 'NO_DATA') continue;
    const logName = auditLogNameOf(process.typeName);
    const key = `audit|${project}|${process.hostname}|${logName}`;
    out.set(key, { kind: 'audit', key, project, host: process.hostname, logName, cluster: clusterNameOf(process, clusterNames) });
  }
  return [...out.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
}

/** The access-history stream of a cluster. */
export function accessStream(project: string, cluster: string): AccessStream {
  return { kind: 'access', key: `access|${project}|${cluster}`, project, cluster };
}

/** The activity-feed stream of a project. */
export function projectEventsStream(project: string): ProjectEventsStream {
  return { kind: 'project-events', key: `project-events|${project}`, project };
}

/** The activity-feed stream of an organisation. */
export function orgEventsStream(org: string): OrgEventsStream {
  return { kind: 'org-events', key: `org-events|${org}`, org };
}

/** The posture stream of a project. */
export function postureStream(project: string): PostureStream {
  return { kind: 'posture', key: `posture|${project}`, project };
}
