import { createHash } from 'node:crypto';
import { createOccurrenceCounter } from '@atlas-audit/shared/core/event-id';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { Alert } from '@atlas-audit/shared/schema/alert';
import type { DlqRecord } from '@atlas-audit/shared/schema/dlq';
import { normaliseAuditLine } from '@atlas-audit/shared/core/normalise/audit';
import { accessEntryRawKey, normaliseAccessEntry } from '@atlas-audit/shared/core/normalise/access';
import { normaliseActivityEvent } from '@atlas-audit/shared/core/normalise/activity';
import { normalisePostureSnapshot } from '@atlas-audit/shared/core/normalise/posture';
import { diffSnapshots } from '@atlas-audit/shared/core/normalise/posture-diff';
import type { PostureSnapshot } from '@atlas-audit/shared/core/normalise/posture-resources';
import type { NormaliseContext } from '@atlas-audit/shared/core/normalise/context';

/**
 * A realistic, seeded day (or more) of Atlas traffic, built from raw records in the shapes
 * Atlas writes them (mongod audit lines, dbAccessHistory entries, project/org events,
 * posture snapshots) and passed through the project's own normalisers, so the events are
 * exactly what ingest produces. Alerts and dead-letter records are generated to their
 * schemas. Pure: time comes from `endMs`, randomness from `seed`.
 */
export type SampleData = { events: AtlasEvent[]; alerts: Alert[]; dlq: DlqRecord[]; rejected: string[] };

export type SampleOptions = { endMs: number; hours: number; seed: number; auditPerHour: number };

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const org = '5f0000000000000000000001';
const projects = [
  { id: '64a000000000000000000001', cluster: 'orders-prod', hosts: ['orders-prod-shard-00-00.ab1cd.mongodb.net', 'orders-prod-shard-00-01.ab1cd.mongodb.net'] },
  { id: '64a000000000000000000002', cluster: 'analytics', hosts: ['analytics-shard-00-00.ef2gh.mongodb.net'] },
];
const appUsers = [
  { user: 'orders-app', db: 'admin', roles: [{ role: 'readWrite', db: 'orders' }], ips: ['10.20.1.11', '10.20.1.12'] },
  { user: 'reporting', db: 'admin', roles: [{ role: 'read', db: 'analytics' }], ips: ['10.20.2.40'] },
  { user: 'alice', db: 'admin', roles: [{ role: 'atlasAdmin', db: 'admin' }], ips: ['198.51.100.23'] },
  { user: 'bob', db: 'admin', roles: [{ role: 'readWriteAnyDatabase', db: 'admin' }], ips: ['198.51.100.77', '203.0.113.9'] },
];
const attackerIp = '185.220.101.4';
const humans = ['alice@example.com', 'bob@example.com', 'carol@example.com'];

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function uuidB64(r: () => number): string {
  const bytes = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) bytes[i] = Math.floor(r() * 256);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return bytes.toString('base64');
}

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)] as T;
}

function auditLine(r: () => number, ms: number, atype: string, who: (typeof appUsers)[number], ip: string, param: Record<string, unknown>, result: number): string {
  return JSON.stringify({
    atype,
    ts: { $date: iso(ms) },
    uuid: { $binary: uuidB64(r), $type: '04' },
    local: { ip: '10.0.0.5', port: 27017 },
    remote: { ip, port: 40000 + Math.floor(r() * 20000) },
    users: atype === 'authenticate' ? [] : [{ user: who.user, db: who.db }],
    roles: atype === 'authenticate' ? [] : who.roles,
    param,
    result,
  });
}

function accessEntry(ms: number, project: string, host: string, user: string, ip: string, okay: boolean): Record<string, unknown> {
  const logLine = {
    t: { $date: iso(ms) },
    s: 'I',
    c: 'ACCESS',
    id: okay ? 20250 : 20249,
    ctx: 'conn123',
    msg: okay ? 'Successfully authenticated' : 'Authentication failed',
    attr: { mechanism: 'SCRAM-SHA-256', principalName: user, authenticationDatabase: 'admin', remote: `${ip}:51234`, ...(okay ? {} : { error: 'AuthenticationFailed: SCRAM authentication failed, storedKey mismatch' }) },
  };
  return { authResult: okay, authSource: 'admin', ...(okay ? {} : { failureReason: 'AuthenticationFailed: SCRAM authentication failed, storedKey mismatch' }), groupId: project, hostname: host, ipAddress: ip, logLine: JSON.stringify(logLine), timestamp: iso(ms), username: user };
}

function snapshotAt(ms: number, open: boolean, auditEnabled: boolean): PostureSnapshot {
  return {
    takenAt: iso(ms),
    databaseUsers: { results: appUsers.map((u) => ({ username: u.user, databaseName: u.db, roles: u.roles.map((r) => ({ roleName: r.role, databaseName: r.db })), scopes: [] })) },
    customDBRoles: [{ roleName: 'orders-readonly', actions: [{ action: 'FIND', resources: [{ db: 'orders', collection: '' }] }], inheritedRoles: [] }],
    accessList: { results: [{ cidrBlock: '10.20.0.0/16', comment: 'app subnet' }, { cidrBlock: '198.51.100.23/32', ipAddress: '198.51.100.23', comment: 'alice' }, ...(open ? [{ cidrBlock: '0.0.0.0/0', comment: '' }] : [])] },
    auditLog: { enabled: auditEnabled, auditAuthorizationSuccess: false, auditFilter: '{}', configurationType: 'FILTER_JSON' },
    maintenanceWindow: { dayOfWeek: 1, hourOfDay: 3, startASAP: false, autoDeferOnceEnabled: false },
    encryptionAtRest: { awsKms: { enabled: true, region: 'US_EAST_1', valid: true }, azureKeyVault: { enabled: false }, googleCloudKms: { enabled: false } },
  };
}

function alertOf(rule: { id: string; name: string; severity: Alert['severity']; tactic: [string, string]; technique: [string, string] }, subject: string, ms: number, evidence: AtlasEvent[], project: string, user: string, ip: string): Alert {
  const host = evidence.find((e) => e.host)?.host?.name;
  const cluster = evidence.find((e) => e.service)?.service?.name;
  const start = iso(ms - (ms % 3_600_000));
  const id = createHash('sha256').update(`${rule.id}\0${subject}\0${start}`).digest('hex');
  const severityNumber = { low: 1, medium: 2, high: 3, critical: 4 }[rule.severity];
  const risk = { low: 21, medium: 47, high: 73, critical: 99 }[rule.severity];
  const message = `${rule.name}: ${user} from ${ip}`;
  return {
    schema_version: '1',
    '@timestamp': iso(ms),
    event: { id, kind: 'alert', category: ['authentication'], type: ['info'], action: rule.id, dataset: 'atlas.alert', module: 'mongodb_atlas', severity: severityNumber, risk_score: risk },
    rule: { id: rule.id, name: rule.name, description: `${rule.name} (sample)`, version: '1' },
    threat: { framework: 'MITRE ATT&CK', tactic: { id: rule.tactic[0], name: rule.tactic[1] }, technique: { id: rule.technique[0], name: rule.technique[1] } },
    severity: rule.severity,
    risk_score: risk,
    message,
    user: { name: user },
    source: { ip },
    ...(host === undefined ? {} : { host: { name: host } }),
    ...(cluster === undefined ? {} : { service: { name: cluster } }),
    cloud: { provider: 'mongodb_atlas', project: { id: project } },
    related: { ip: [ip], user: [user] },
    atlas: { alert: { subject, window: { start, end: iso(Date.parse(start) + 3_600_000) }, explanation: `${message}; ${evidence.length} evidence events`, evidence_event_ids: evidence.slice(0, 20).map((e) => e.event.id), evidence: { count: evidence.length } } },
  };
}

const rules = {
  bruteForce: { id: 'atlas.auth.brute_force', name: 'Repeated authentication failures', severity: 'high' as const, tactic: ['TA0006', 'Credential Access'] as [string, string], technique: ['T1110', 'Brute Force'] as [string, string] },
  newIp: { id: 'atlas.auth.new_source_ip', name: 'Login from a new source IP', severity: 'medium' as const, tactic: ['TA0001', 'Initial Access'] as [string, string], technique: ['T1078', 'Valid Accounts'] as [string, string] },
  openAccess: { id: 'atlas.network.open_access_list', name: 'Access list open to the internet', severity: 'critical' as const, tactic: ['TA0005', 'Defense Evasion'] as [string, string], technique: ['T1556', 'Modify Authentication Process'] as [string, string] },
};

/** Generates the sample data set; `rejected` lists any raw record a normaliser refused (expected empty). */
export function generateSampleData(options: SampleOptions): SampleData {
  const r = rng(options.seed);
  const events: AtlasEvent[] = [];
  const rejected: string[] = [];
  const take = (result: { ok: true; value: AtlasEvent } | { ok: false; reason: string }): AtlasEvent | undefined => {
    if (result.ok) {
      events.push({ ...result.value, event: { ...result.value.event, ingested: iso(Math.min(options.endMs, Date.parse(result.value['@timestamp']) + 60_000)) } });
      return result.value;
    }
    rejected.push(result.reason);
    return undefined;
  };
  const startMs = options.endMs - options.hours * 3_600_000;
  const failures: AtlasEvent[] = [];
  for (const project of projects) {
    for (const host of project.hosts) {
      const context: NormaliseContext = { project: project.id, org, host, cluster: project.cluster, logName: 'mongodb-audit-log' };
      // Random timestamps can repeat a record byte for byte: like the ingest worker, count such
      // repeats so that each gets its own id (occurrence 1, 2, …) instead of colliding.
      const lineRepeats = createOccurrenceCounter();
      const entryRepeats = createOccurrenceCounter();
      for (let hour = 0; hour < options.hours; hour++) {
        for (let i = 0; i < options.auditPerHour; i++) {
          const ms = startMs + hour * 3_600_000 + Math.floor(r() * 3_600_000);
          const who = pick(r, appUsers);
          const ip = pick(r, who.ips);
          const roll = r();
          let line: string;
          if (roll < 0.5) line = auditLine(r, ms, 'authenticate', who, ip, { user: who.user, db: who.db, mechanism: 'SCRAM-SHA-256' }, r() < 0.9 ? 0 : 18);
          else if (roll < 0.8) line = auditLine(r, ms, 'authCheck', who, ip, { command: 'find', ns: 'orders.items', args: { find: 'items', filter: { sku: 'x' } } }, r() < 0.95 ? 0 : 13);
          else if (roll < 0.87) line = auditLine(r, ms, 'createCollection', who, ip, { ns: `orders.tmp_${hour}_${i}` }, 0);
          else if (roll < 0.92) line = auditLine(r, ms, 'dropCollection', who, ip, { ns: `orders.tmp_${hour}_${i}` }, 0);
          else if (roll < 0.96) line = auditLine(r, ms, 'createUser', appUsers[2] ?? who, appUsers[2]?.ips[0] ?? ip, { user: `svc-${hour}-${i}`, db: 'admin', roles: [{ role: 'read', db: 'orders' }] }, 0);
          else line = auditLine(r, ms, 'grantRolesToUser', appUsers[2] ?? who, appUsers[2]?.ips[0] ?? ip, { user: 'reporting', db: 'admin', roles: [{ role: 'readWrite', db: 'analytics' }] }, 0);
          take(normaliseAuditLine(line, lineRepeats.next(line), context));
        }
        for (let i = 0; i < Math.max(1, Math.floor(options.auditPerHour / 4)); i++) {
          const ms = startMs + hour * 3_600_000 + Math.floor(r() * 3_600_000);
          const who = pick(r, appUsers);
          const entry = accessEntry(ms, project.id, host, who.user, pick(r, who.ips), r() < 0.93);
          take(normaliseAccessEntry(entry, entryRepeats.next(accessEntryRawKey(entry)), context));
        }
      }
    }
    // A burst of failures from one address near the end: what brute-force detection sees.
    const burstHost = project.hosts[0] ?? 'host';
    for (let i = 0; i < 12; i++) {
      const event = take(normaliseAccessEntry(accessEntry(options.endMs - 1_800_000 + i * 20_000, project.id, burstHost, 'orders-app', attackerIp, false), 0, { project: project.id, org, host: burstHost, cluster: project.cluster }));
      if (event) failures.push(event);
    }
    const context: NormaliseContext = { project: project.id, org };
    const activity = [
      { eventTypeName: 'SUCCESSFUL_LOGIN_AUDIT', username: pick(r, humans), remoteAddress: '198.51.100.23' },
      { eventTypeName: 'UNSUCCESSFUL_LOGIN_AUDIT', username: 'carol@example.com', remoteAddress: attackerIp },
      { eventTypeName: 'MONGODB_USER_ADDED', username: 'alice@example.com', remoteAddress: '198.51.100.23', dbUserUsername: 'svc-etl' },
      { eventTypeName: 'MONGODB_USER_UPDATED', username: 'alice@example.com', remoteAddress: '198.51.100.23', dbUserUsername: 'reporting' },
      { eventTypeName: 'MONGODB_USER_DELETED', username: 'bob@example.com', remoteAddress: '203.0.113.9', dbUserUsername: 'svc-old' },
      { eventTypeName: 'NETWORK_PERMISSION_ENTRY_ADDED', username: 'bob@example.com', remoteAddress: '203.0.113.9', whitelistEntry: '0.0.0.0/0' },
      { eventTypeName: 'AUDIT_LOG_CONFIGURATION_UPDATED', username: 'alice@example.com', remoteAddress: '198.51.100.23' },
      { eventTypeName: 'USER_ROLES_CHANGED_AUDIT', username: 'alice@example.com', remoteAddress: '198.51.100.23', targetUsername: 'carol@example.com' },
    ];
    for (let hour = 0; hour < options.hours; hour += 2) {
      for (const [i, doc] of activity.entries()) {
        if (r() < 0.5) continue;
        const ms = startMs + hour * 3_600_000 + Math.floor(r() * 7_200_000);
        take(normaliseActivityEvent({ id: createHash('sha1').update(`${project.id}${hour}${i}`).digest('hex').slice(0, 24), created: iso(Math.min(ms, options.endMs - 1000)).replace(/\.\d{3}Z$/, 'Z'), groupId: project.id, orgId: org, ...doc }, context));
      }
    }
    let previous: PostureSnapshot | undefined;
    for (let hour = 0; hour < options.hours; hour += 6) {
      const ms = startMs + hour * 3_600_000 + 60_000;
      const snapshot = snapshotAt(ms, hour >= options.hours / 2 && project === projects[0], true);
      for (const result of normalisePostureSnapshot(snapshot, context)) take(result);
      if (previous) for (const result of diffSnapshots(previous, snapshot, context)) take(result);
      previous = snapshot;
    }
  }
  const alerts: Alert[] = [];
  for (const project of projects) {
    const mine = failures.filter((e) => e.cloud.project?.id === project.id);
    alerts.push(alertOf(rules.bruteForce, `${project.id}/orders-app/${attackerIp}`, options.endMs - 1_500_000, mine, project.id, 'orders-app', attackerIp));
  }
  const sample = events.filter((e) => e.event.dataset === 'atlas.access' && e.source?.ip === '203.0.113.9').slice(0, 3);
  if (sample.length > 0) alerts.push(alertOf(rules.newIp, `${projects[0]?.id}/bob/203.0.113.0/24`, Date.parse(sample[0]?.['@timestamp'] ?? iso(options.endMs)), sample, projects[0]?.id ?? '', 'bob', '203.0.113.9'));
  const opened = events.filter((e) => e.event.action === 'NETWORK_PERMISSION_ENTRY_ADDED').slice(0, 1);
  if (opened.length > 0) alerts.push(alertOf(rules.openAccess, `${projects[0]?.id}/0.0.0.0/0`, Date.parse(opened[0]?.['@timestamp'] ?? iso(options.endMs)), opened, projects[0]?.id ?? '', 'bob@example.com', '203.0.113.9'));
  const dlq: DlqRecord[] = [];
  for (let i = 0; i < 6; i++) {
    const raw = Buffer.from(i % 2 === 0 ? '{"atype":"authenticate","ts":' : 'garbage line').toString('base64');
    dlq.push({ schema_version: '1', id: createHash('sha256').update(`dlq${i}`).digest('hex'), raw, reason: i % 2 === 0 ? 'invalid JSON: Unexpected end of JSON input' : 'invalid JSON: Unexpected token g', origin: { source: 'atlas.audit', project: projects[0]?.id ?? '', host: projects[0]?.hosts[0] ?? '' }, timestamp: iso(options.endMs - i * 3_600_000) });
  }
  return { events, alerts, dlq, rejected };
}
