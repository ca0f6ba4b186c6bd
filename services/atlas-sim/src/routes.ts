import { accessHistory, accessHistoryMaxLogs } from './core/access-history.ts';
import { clusterNotFound, groupNotFound, hostNotFound, invalidQueryParameter, orgNotFound, apiError, type ApiError } from './core/api-error.ts';
import { jsonV20230101, logsGzip, type VersionSpec } from './core/api-version.ts';
import { orgEvents, projectEvents, type AtlasEvent } from './core/events.ts';
import { linesForWindow, type ChunkLine, type ChunkSource, type LateLines } from './core/host-chunk.ts';
import { paginate, parsePageQuery } from './core/paging.ts';
import { accessListAt, auditConfigAt, customRolesOf, databaseUsersAt, encryptionAtRestOf, maintenanceWindowOf } from './core/posture.ts';
import { logNames, type LogName, type Project, type World } from './core/world.ts';

/**
 * The Admin API routes: path pattern, endpoint set (for rate limits, faults and the request
 * log), media-type versions and handler. Handlers are synchronous over the simulated world.
 */

export type RouteContext = { world: World; url: URL; params: string[]; nowMs: number; base: string; late: LateLines | undefined; chunkSource: ChunkSource };

export type Reply =
  | { kind: 'json'; body: unknown }
  | { kind: 'error'; error: ApiError }
  | { kind: 'log'; lines: ChunkLine[]; filename: string; window: { startMs: number; endMs: number } };

export type Route = {
  pattern: RegExp;
  endpoint: string;
  version: VersionSpec;
  scope: 'group' | 'org' | 'user';
  handler: (ctx: RouteContext) => Reply;
};

const seg = '([^/]+)';
const v2 = '^/api/atlas/v2';
/** An error reply. */
export const err = (error: ApiError): Reply => ({ kind: 'error', error });

/** Runs `then` with the project named by the first path parameter, or answers its 404/400. */
export function withProject(ctx: RouteContext, then: (project: Project) => Reply): Reply {
  const id = ctx.params[0] ?? '';
  const project = ctx.world.projectById.get(id);
  return project === undefined ? err(groupNotFound(id)) : then(project);
}

/** One page of `items` per the request's paging parameters (400 on bad ones). */
export function paged<T>(ctx: RouteContext, items: readonly T[]): Reply {
  const q = parsePageQuery(ctx.url.searchParams);
  if (!q.ok) return err(invalidQueryParameter(q.reason));
  return { kind: 'json', body: paginate(items, q.value, new URL(`${ctx.base}${ctx.url.pathname}${ctx.url.search}`)) };
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Processes as the processes endpoint lists them. */
export function processView(ctx: RouteContext, project: Project): unknown[] {
  return project.processes.map((p) => ({
    created: iso(ctx.world.startMs - 30 * 86400000),
    groupId: project.id,
    hostname: p.hostname,
    id: `${p.hostname}:${p.port}`,
    lastPing: iso(ctx.nowMs - 20000),
    links: [{ href: `${ctx.base}/api/atlas/v2/groups/${project.id}/processes/${p.hostname}:${p.port}`, rel: 'self' }],
    port: p.port,
    ...(p.replicaSetName === undefined ? {} : { replicaSetName: p.replicaSetName }),
    ...(p.shardName === undefined ? {} : { shardName: p.shardName }),
    typeName: p.typeName,
    userAlias: p.userAlias,
    version: p.version,
  }));
}

function clusterView(ctx: RouteContext, project: Project): unknown[] {
  return project.clusters.map((c) => ({
    clusterType: c.spec.mongos ? 'SHARDED' : 'REPLICASET',
    connectionStrings: {
      standard: `mongodb://${c.processes.filter((p) => p.kind === (c.spec.mongos ? 'mongos' : 'mongod')).map((p) => `${p.userAlias}:${p.port}`).join(',')}/?ssl=true&authSource=admin`,
      standardSrv: `mongodb+srv://${c.name.toLowerCase()}.${c.domain}`,
    },
    createDate: iso(ctx.world.startMs - 30 * 86400000),
    groupId: project.id,
    id: c.clusterId,
    links: [{ href: `${ctx.base}/api/atlas/v2/groups/${project.id}/clusters/${c.name}`, rel: 'self' }],
    mongoDBMajorVersion: c.spec.mongoVersion.split('.').slice(0, 2).join('.'),
    mongoDBVersion: c.spec.mongoVersion,
    name: c.name,
    paused: false,
    stateName: 'IDLE',
    replicationSpecs: [{ id: c.clusterId, numShards: 1, zoneName: 'Zone 1', regionConfigs: [{ providerName: 'AWS', regionName: 'EU_WEST_1', priority: 7, electableSpecs: { instanceSize: 'M30', nodeCount: c.spec.nodes } }] }],
  }));
}

function epochParam(ctx: RouteContext, name: string, minimum: number): { ok: true; value: number | undefined } | { ok: false; reply: Reply } {
  const raw = ctx.url.searchParams.get(name);
  if (raw === null) return { ok: true, value: undefined };
  if (!/^\d+$/.test(raw) || Number(raw) < minimum) return { ok: false, reply: err(invalidQueryParameter(name)) };
  return { ok: true, value: Number(raw) };
}

/** Atlas' file-name timestamps: `2026-08-09T03:44:46.000000781` (nanosecond precision, no zone). */
export function fileTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${d.toISOString().slice(0, 19)}.${String((ms % 1000) * 1_000_000).padStart(9, '0')}`;
}

const logSuffix: Record<LogName, string> = { 'mongodb-audit-log': 'MONGODB_AUDIT_LOG', 'mongos-audit-log': 'MONGOS_AUDIT_LOG', mongodb: 'MONGODB', mongos: 'MONGOS' };

function logDownload(ctx: RouteContext): Reply {
  return withProject(ctx, (project) => {
    const hostname = ctx.params[1] ?? '';
    const logName = ctx.params[2] ?? '';
    if (!(logNames as readonly string[]).includes(logName)) return err(apiError(400, 'INVALID_ENUM_VALUE', `An invalid enumeration value ${logName} was specified.`, [logName]));
    if (!project.processes.some((p) => p.hostname === hostname)) return err(hostNotFound(hostname, project.id));
    const start = epochParam(ctx, 'startDate', 1199145600);
    if (!start.ok) return start.reply;
    const end = epochParam(ctx, 'endDate', 1199145600);
    if (!end.ok) return end.reply;
    const dayS = 86400;
    const nowS = Math.floor(ctx.nowMs / 1000);
    const endS = end.value ?? (start.value === undefined ? nowS : start.value + dayS);
    const startS = start.value ?? endS - dayS;
    if (startS > endS) return err(invalidQueryParameter('startDate'));
    const lines = linesForWindow(ctx.world, project.id, hostname, logName as LogName, startS * 1000, endS * 1000, ctx.nowMs, ctx.late, ctx.chunkSource);
    const filename = `${hostname}_${fileTimestamp(startS * 1000)}_${fileTimestamp(endS * 1000)}_${logSuffix[logName as LogName]}.log.gz`;
    return { kind: 'log', lines, filename, window: { startMs: startS * 1000, endMs: endS * 1000 } };
  });
}

function accessHistoryRoute(byCluster: boolean) {
  return (ctx: RouteContext): Reply =>
    withProject(ctx, (project) => {
      const name = ctx.params[1] ?? '';
      const processes = byCluster ? project.processes.filter((p) => p.clusterName === name) : project.processes.filter((p) => p.hostname === name);
      if (processes.length === 0) return err(byCluster ? clusterNotFound(name, project.id) : hostNotFound(name, project.id));
      const start = epochParam(ctx, 'start', 1199145600000);
      if (!start.ok) return start.reply;
      const end = epochParam(ctx, 'end', 1199145600000);
      if (!end.ok) return end.reply;
      if ((start.value === undefined) !== (end.value === undefined)) return err(invalidQueryParameter(start.value === undefined ? 'start' : 'end'));
      const rawN = ctx.url.searchParams.get('nLogs');
      if (rawN !== null && (!/^\d+$/.test(rawN) || Number(rawN) < 1 || Number(rawN) > accessHistoryMaxLogs)) return err(invalidQueryParameter('nLogs'));
      const rawResult = ctx.url.searchParams.get('authResult');
      if (rawResult !== null && rawResult !== 'true' && rawResult !== 'false') return err(invalidQueryParameter('authResult'));
      const ip = ctx.url.searchParams.get('ipAddress');
      const accessLogs = accessHistory(ctx.world, project, processes, {
        startMs: start.value ?? 0,
        endMs: end.value ?? ctx.nowMs,
        nLogs: rawN === null ? accessHistoryMaxLogs : Number(rawN),
        ...(rawResult === null ? {} : { authResult: rawResult === 'true' }),
        ...(ip === null ? {} : { ipAddress: ip }),
      }, ctx.nowMs);
      return { kind: 'json', body: { accessLogs } };
    });
}

/** An event as the events endpoints show it (links; raw only when asked). */
export function eventView(ctx: RouteContext, e: AtlasEvent, selfPrefix: string, includeRaw: boolean): Record<string, unknown> {
  const { createdMs: _createdMs, ...rest } = e;
  const view: Record<string, unknown> = { ...rest, links: [{ href: `${ctx.base}${selfPrefix}/events/${e.id}`, rel: 'self' }] };
  if (includeRaw) view['raw'] = { _t: e.eventTypeName, cid: e['groupId'] ?? null, cre: e.created, description: e.eventTypeName.toLowerCase().replace(/_/g, ' '), severity: 'INFO' };
  return view;
}

function eventsPage(ctx: RouteContext, all: (fromMs: number, toMs: number) => AtlasEvent[], selfPrefix: string): Reply {
  const parseDate = (name: string): number | undefined | null => {
    const raw = ctx.url.searchParams.get(name);
    if (raw === null) return undefined;
    const ms = Date.parse(raw);
    return Number.isNaN(ms) ? null : ms;
  };
  const min = parseDate('minDate');
  if (min === null) return err(invalidQueryParameter('minDate'));
  const max = parseDate('maxDate');
  if (max === null) return err(invalidQueryParameter('maxDate'));
  const types = ctx.url.searchParams.getAll('eventType');
  const excluded = ctx.url.searchParams.getAll('excludedEventType');
  const includeRaw = ctx.url.searchParams.get('includeRaw') === 'true';
  const events = all(min ?? ctx.world.startMs, Math.min(max ?? ctx.nowMs, ctx.nowMs))
    .filter((e) => (types.length === 0 || types.includes(e.eventTypeName)) && !excluded.includes(e.eventTypeName))
    .map((e) => eventView(ctx, e, selfPrefix, includeRaw));
  return paged(ctx, events);
}

/** Every Admin API route, checked in order. */
export const routes: Route[] = [
  { pattern: new RegExp(`${v2}/orgs$`), endpoint: 'orgs', version: jsonV20230101, scope: 'user', handler: (ctx) => paged(ctx, ctx.world.orgs.map((o) => ({ id: o.id, isDeleted: false, links: [{ href: `${ctx.base}/api/atlas/v2/orgs/${o.id}`, rel: 'self' }], name: o.name }))) },
  { pattern: new RegExp(`${v2}/orgs/${seg}/groups$`), endpoint: 'orgGroups', version: jsonV20230101, scope: 'org', handler: (ctx) => {
    const org = ctx.world.orgById.get(ctx.params[0] ?? '');
    if (org === undefined) return err(orgNotFound(ctx.params[0] ?? ''));
    return paged(ctx, org.projectIds.map((id) => ctx.world.projectById.get(id)!).map((p) => ({ clusterCount: p.clusters.length, created: iso(ctx.world.startMs - 60 * 86400000), id: p.id, links: [{ href: `${ctx.base}/api/atlas/v2/groups/${p.id}`, rel: 'self' }], name: p.name, orgId: p.orgId })));
  } },
  { pattern: new RegExp(`${v2}/orgs/${seg}/events$`), endpoint: 'orgEvents', version: jsonV20230101, scope: 'org', handler: (ctx) => {
    const org = ctx.world.orgById.get(ctx.params[0] ?? '');
    if (org === undefined) return err(orgNotFound(ctx.params[0] ?? ''));
    return eventsPage(ctx, (from, to) => orgEvents(ctx.world, org, from, to), '/api/atlas/v2/groups/null');
  } },
  { pattern: new RegExp(`${v2}/groups$`), endpoint: 'groups', version: jsonV20230101, scope: 'user', handler: (ctx) => paged(ctx, ctx.world.projects.map((p) => ({ clusterCount: p.clusters.length, id: p.id, name: p.name, orgId: p.orgId, links: [{ href: `${ctx.base}/api/atlas/v2/groups/${p.id}`, rel: 'self' }] }))) },
  { pattern: new RegExp(`${v2}/groups/${seg}$`), endpoint: 'group', version: jsonV20230101, scope: 'group', handler: (ctx) => withProject(ctx, (p) => ({ kind: 'json', body: { clusterCount: p.clusters.length, id: p.id, name: p.name, orgId: p.orgId, links: [{ href: `${ctx.base}/api/atlas/v2/groups/${p.id}`, rel: 'self' }] } })) },
  { pattern: new RegExp(`${v2}/groups/${seg}/processes$`), endpoint: 'processes', version: jsonV20230101, scope: 'group', handler: (ctx) => withProject(ctx, (p) => paged(ctx, processView(ctx, p))) },
  { pattern: new RegExp(`${v2}/groups/${seg}/clusters$`), endpoint: 'clusters', version: jsonV20230101, scope: 'group', handler: (ctx) => withProject(ctx, (p) => paged(ctx, clusterView(ctx, p))) },
  { pattern: new RegExp(`${v2}/groups/${seg}/clusters/${seg}/logs/([^/]+)\\.gz$`), endpoint: 'logs', version: logsGzip, scope: 'group', handler: logDownload },
  { pattern: new RegExp(`${v2}/groups/${seg}/clusters/${seg}$`), endpoint: 'clusters', version: jsonV20230101, scope: 'group', handler: (ctx) => withProject(ctx, (p) => {
    const view = clusterView(ctx, p).find((c) => (c as { name: string }).name === ctx.params[1]);
    return view === undefined ? err(clusterNotFound(ctx.params[1] ?? '', p.id)) : { kind: 'json', body: view };
  }) },
  { pattern: new RegExp(`${v2}/groups/${seg}/dbAccessHistory/clusters/${seg}$`), endpoint: 'accessHistory', version: jsonV20230101, scope: 'group', handler: accessHistoryRoute(true) },
  { pattern: new RegExp(`${v2}/groups/${seg}/dbAccessHistory/processes/${seg}$`), endpoint: 'accessHistory', version: jsonV20230101, scope: 'group', handler: accessHistoryRoute(false) },
  { pattern: new RegExp(`${v2}/groups/${seg}/databaseUsers$`), endpoint: 'databaseUsers', version: jsonV20230101, scope: 'group', handler: (ctx) => withProject(ctx, (p) => paged(ctx, databaseUsersAt(ctx.world, p, ctx.nowMs).map((u) => ({ ...u, links: [{ href: `${ctx.base}/api/atlas/v2/groups/${p.id}/databaseUsers/${encodeURIComponent(u.databaseName)}/${encodeURIComponent(u.username)}`, rel: 'self' }] })))) },
  { pattern: new RegExp(`${v2}/groups/${seg}/customDBRoles/roles$`), endpoint: 'customDBRoles', version: jsonV20230101, scope: 'group', handler: (ctx) => withProject(ctx, (p) => ({ kind: 'json', body: customRolesOf(p) })) },
  { pattern: new RegExp(`${v2}/groups/${seg}/accessList$`), endpoint: 'accessList', version: jsonV20230101, scope: 'group', handler: (ctx) => withProject(ctx, (p) => paged(ctx, accessListAt(ctx.world, p, ctx.nowMs).map((e) => ({ ...e, links: [{ href: `${ctx.base}/api/atlas/v2/groups/${p.id}/accessList/${encodeURIComponent(e.cidrBlock)}`, rel: 'self' }] })))) },
  { pattern: new RegExp(`${v2}/groups/${seg}/auditLog$`), endpoint: 'auditLog', version: jsonV20230101, scope: 'group', handler: (ctx) => withProject(ctx, (p) => ({ kind: 'json', body: auditConfigAt(ctx.world, p, ctx.nowMs) })) },
  { pattern: new RegExp(`${v2}/groups/${seg}/maintenanceWindow$`), endpoint: 'maintenanceWindow', version: jsonV20230101, scope: 'group', handler: (ctx) => withProject(ctx, (p) => ({ kind: 'json', body: maintenanceWindowOf(p) })) },
  { pattern: new RegExp(`${v2}/groups/${seg}/encryptionAtRest$`), endpoint: 'encryptionAtRest', version: jsonV20230101, scope: 'group', handler: (ctx) => withProject(ctx, (p) => ({ kind: 'json', body: encryptionAtRestOf(p) })) },
  { pattern: new RegExp(`${v2}/groups/${seg}/events$`), endpoint: 'groupEvents', version: jsonV20230101, scope: 'group', handler: (ctx) => withProject(ctx, (p) => eventsPage(ctx, (from, to) => projectEvents(ctx.world, p, from, to), `/api/atlas/v2/groups/${p.id}`)) },
];
