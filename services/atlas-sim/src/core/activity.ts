import { chunkMs } from './chunks.ts';
import { createRng, type Rng } from './rng.ts';
import type { ScenarioUser } from './scenario.ts';
import { isWorkingTime } from './working-hours.ts';
import type { Process, Project, World } from './world.ts';
import { attackRecords } from './attack-activity.ts';

/**
 * What happened on one process during one chunk, as structured records (one per audit line).
 * Rendering to audit lines, server-log lines and access-history entries happens elsewhere.
 */

export type UserRef = { user: string; db: string };
export type RoleDb = { role: string; db: string };

export type ActivityRecord = {
  t: number;
  atype: string;
  conn: number;
  uuid: string;
  /** null = the `{ "isSystemUser": true }` remote. */
  remote: { ip: string; port: number } | null;
  users: UserRef[];
  roles: RoleDb[];
  param: Record<string, unknown>;
  result: number;
  /** Whether the actor is an Atlas agent (kept out of access history). */
  agent: boolean;
  /** Whether this authCheck success line is written only when authorization successes are audited. */
  authzSuccess?: boolean;
  application?: string;
};

export const agentUsers = { automation: 'mms-automation', monitoring: 'mms-monitoring-agent', system: '__system' } as const;

const base64Chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 of 16 random bytes: the `uuid.$binary` of a client connection. */
export function randomUuid(rng: Rng): string {
  const b = rng.bytes(16);
  let out = '';
  for (let i = 0; i < 15; i += 3) {
    const n = ((b[i] ?? 0) << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out += base64Chars[(n >> 18) & 63]! + base64Chars[(n >> 12) & 63]! + base64Chars[(n >> 6) & 63]! + base64Chars[n & 63]!;
  }
  const last = b[15] ?? 0;
  return `${out}${base64Chars[last >> 2]!}${base64Chars[(last & 3) << 4]!}==`;
}

const drivers = [
  { name: 'nodejs', version: '6.9.0', platform: 'Node.js v20.17.0, LE (unified)' },
  { name: 'PyMongo', version: '4.8.0', platform: 'CPython 3.12.4.final.0' },
  { name: 'mongo-java-driver|sync', version: '5.1.3', platform: 'Java/Eclipse Adoptium/21.0.4+7-LTS' },
  { name: 'mongo-go-driver', version: 'v1.16.1', platform: 'go1.22.5' },
] as const;

const agentDriver = { name: 'mongo-go-driver', version: 'v1.12.0-cloud', platform: 'go1.22.7' } as const;

function clientMetadataParam(rng: Rng, process: Process, application: string | undefined, agent = false): Record<string, unknown> {
  const driver = agent ? agentDriver : rng.pick(drivers);
  const meta: Record<string, unknown> = {
    driver: { name: driver.name, version: driver.version },
    os: { type: 'Linux', name: 'linux', architecture: 'x86_64', version: '5.15.0-1064-aws' },
    platform: driver.platform,
  };
  if (application !== undefined) meta['application'] = { name: application };
  return { localEndpoint: { ip: process.localIp, port: process.port }, clientMetadata: meta };
}

/** Context shared by the generators of one (process, chunk). */
export type ChunkContext = { world: World; project: Project; process: Process; chunkStart: number; hostKey: string };

function connId(rng: Rng): number {
  return rng.int(1000, 99999);
}

/** Records of one connection of an Atlas agent (or a peer member's __system). */
function agentConnection(ctx: ChunkContext, rng: Rng, who: 'automation' | 'monitoring' | 'system', withOps: number): ActivityRecord[] {
  const { process } = ctx;
  const user = agentUsers[who];
  const db = who === 'system' ? 'local' : 'admin';
  const ip = who === 'automation' ? '127.0.0.1' : who === 'monitoring' ? `192.168.248.${rng.int(2, 30)}` : process.localIp.replace(/\.\d+$/, `.${10 + rng.int(0, 2)}`);
  const remote = { ip, port: rng.int(32768, 60999) };
  const t0 = ctx.chunkStart + rng.int(0, chunkMs - 2001);
  const uuid = randomUuid(rng);
  const conn = connId(rng);
  const roles: RoleDb[] = who === 'system' ? [{ role: '__system', db: 'admin' }] : who === 'automation' ? [{ role: 'root', db: 'admin' }] : [{ role: 'clusterMonitor', db: 'admin' }];
  const users = [{ user, db }];
  const base = { uuid, conn, remote, agent: true };
  const out: ActivityRecord[] = [
    { ...base, t: t0, atype: 'clientMetadata', users: [], roles: [], param: clientMetadataParam(rng, process, who === 'automation' ? 'MongoDB Automation Agent v13.22.0' : who === 'monitoring' ? 'MongoDB Monitoring Module v13.22.0' : undefined, true), result: 0 },
    { ...base, t: t0 + rng.int(1, 40), atype: 'authenticate', users, roles, param: { user, db, mechanism: who === 'system' ? 'SCRAM-SHA-256' : 'SCRAM-SHA-1' }, result: 0 },
  ];
  let t = t0 + 50;
  for (let i = 0; i < withOps; i++) {
    t = Math.min(t + rng.int(5, 200), ctx.chunkStart + chunkMs - 1);
    const command = who === 'monitoring' ? rng.pick(['serverStatus', 'replSetGetStatus', 'dbStats', 'top']) : rng.pick(['getParameter', 'listDatabases', 'isMaster']);
    out.push({ ...base, t, atype: 'authCheck', users, roles, param: { command, ns: 'admin', args: { [command]: 1, $db: 'admin' } }, result: 0, authzSuccess: true });
  }
  out.push({ ...base, t: Math.min(t + rng.int(10, 1500), ctx.chunkStart + chunkMs - 1), atype: 'logout', users: [], roles: [], param: { reason: 'Implicit logout due to client connection closure', initialUsers: users, updatedUsers: [] }, result: 0 });
  return out;
}

/** Records of every agent connection on the process during the chunk. */
export function agentRecords(ctx: ChunkContext): ActivityRecord[] {
  const agents = ctx.world.scenario.agents;
  const rng = createRng(`${ctx.world.seed}|agents|${ctx.hostKey}|${ctx.chunkStart}`);
  const out: ActivityRecord[] = [];
  const perChunk = chunkMs / 60000;
  for (const [who, rate] of [['automation', agents.automationPerMinute], ['monitoring', agents.monitoringPerMinute], ['system', agents.systemPerMinute]] as const) {
    const count = rng.poisson(rate * perChunk);
    for (let i = 0; i < count; i++) out.push(...agentConnection(ctx, rng, who, agents.opsPerConnection));
  }
  return out;
}

function databasesOf(user: ScenarioUser): string[] {
  if (user.databases.length > 0) return user.databases;
  const dbs = user.roles.map((r) => r.db).filter((db) => db !== 'admin');
  return dbs.length > 0 ? dbs : ['test'];
}

/** Roles as audit lines show them. */
export function roleDbs(user: ScenarioUser): RoleDb[] {
  return user.roles.map((r) => ({ role: r.role, db: r.db }));
}

const readCommands = ['find', 'aggregate', 'count', 'getMore', 'distinct'] as const;
const writeCommands = ['insert', 'update', 'delete', 'findAndModify'] as const;

/**
 * One client session: clientMetadata, authenticate (success or failure), authCheck per op,
 * logout. `ops` of 0 still logs in and out. Timestamps stay inside [t0, chunkEnd).
 */
export function userSession(
  ctx: ChunkContext,
  rng: Rng,
  user: ScenarioUser,
  opts: { t0: number; ip: string; fail: boolean; ops: number; failResult?: number; collections?: readonly string[] },
): ActivityRecord[] {
  const chunkEnd = ctx.chunkStart + chunkMs - 1;
  const remote = { ip: opts.ip, port: rng.int(32768, 60999) };
  const base = { uuid: randomUuid(rng), conn: connId(rng), remote, agent: false, application: user.application };
  const users = [{ user: user.username, db: user.authDb }];
  const roles = roleDbs(user);
  const out: ActivityRecord[] = [{ ...base, t: opts.t0, atype: 'clientMetadata', users: [], roles: [], param: clientMetadataParam(rng, ctx.process, user.application), result: 0 }];
  let t = Math.min(opts.t0 + rng.int(2, 60), chunkEnd);
  const authParam = { user: user.username, db: user.authDb, mechanism: user.mechanism };
  if (opts.fail) {
    out.push({ ...base, t, atype: 'authenticate', users: [], roles: [], param: authParam, result: opts.failResult ?? 18 });
    return out;
  }
  out.push({ ...base, t, atype: 'authenticate', users, roles, param: authParam, result: 0 });
  const dbs = databasesOf(user);
  const audited = ctx.project.spec.audit.auditAuthorizationSuccess;
  for (let i = 0; i < opts.ops; i++) {
    t = Math.min(t + rng.int(20, 4000), chunkEnd);
    const db = rng.pick(dbs);
    const coll = rng.pick(opts.collections ?? ['orders', 'customers', 'events', 'invoices', 'sessions']);
    const write = rng.chance(0.3);
    const command = write ? rng.pick(writeCommands) : rng.pick(readCommands);
    const denied = rng.chance(0.004);
    if (!audited && !denied) continue;
    out.push({ ...base, t, atype: 'authCheck', users, roles, param: { command, ns: `${db}.${coll}`, args: { [command]: coll, $db: db } }, result: denied ? 13 : 0, authzSuccess: !denied });
  }
  t = Math.min(t + rng.int(5, 30000), chunkEnd);
  out.push({ ...base, t, atype: 'logout', users: [], roles: [], param: { reason: 'Implicit logout due to client connection closure', initialUsers: users, updatedUsers: [] }, result: 0 });
  return out;
}

/** Whether a user may connect to a cluster (empty scopes = every cluster). */
export function userCanReach(user: ScenarioUser, clusterName: string): boolean {
  return user.scopes.length === 0 || user.scopes.includes(clusterName);
}

/** Records of one database user's routine sessions on the process during the chunk. */
export function userRecords(ctx: ChunkContext, user: ScenarioUser): ActivityRecord[] {
  if (ctx.process.sessionWeight === 0 || !userCanReach(user, ctx.process.clusterName)) return [];
  const rng = createRng(`${ctx.world.seed}|user|${user.username}|${ctx.hostKey}|${ctx.chunkStart}`);
  const working = isWorkingTime(user, ctx.chunkStart + chunkMs / 2);
  const perHour = user.sessionsPerHour * (working ? 1 : user.offHoursFactor) * ctx.process.sessionWeight;
  const count = rng.poisson(perHour * (chunkMs / 3600000));
  const out: ActivityRecord[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = ctx.chunkStart + rng.int(0, chunkMs - 60001);
    const ip = rng.pick(user.ips);
    const fail = rng.chance(user.failureRate);
    out.push(...userSession(ctx, rng, user, { t0, ip, fail, ops: fail ? 0 : rng.int(0, user.opsPerSession * 2) }));
    if (fail && rng.chance(0.7)) out.push(...userSession(ctx, rng, user, { t0: t0 + rng.int(3000, 40000), ip, fail: false, ops: rng.int(0, user.opsPerSession * 2) }));
  }
  return out;
}

/**
 * Changing the audit configuration is a rolling restart: each process writes `shutdown` just
 * before auditing stops and `startup` when it comes back, staggered by member, from the system
 * itself (`remote: {isSystemUser: true}`). Only the records falling in this chunk are returned.
 */
export function auditRestartRecords(ctx: ChunkContext, offMs: number, durationMs: number): ActivityRecord[] {
  const { process } = ctx;
  const stagger = (process.nodeIndex % 100) * 40000 + (process.kind === 'mongos' ? 15000 : 0);
  const rng = createRng(`${ctx.world.seed}|restart|${ctx.hostKey}|${offMs}`);
  const base = { conn: 0, uuid: randomUuid(rng), remote: null, users: [], roles: [], result: 0, agent: true };
  const shutdownAt = offMs - 5000 - stagger;
  const startupAt = offMs + durationMs + 20000 + stagger;
  const out: ActivityRecord[] = [];
  const inChunk = (t: number): boolean => t >= ctx.chunkStart && t < ctx.chunkStart + chunkMs;
  if (inChunk(shutdownAt)) out.push({ ...base, t: shutdownAt, atype: 'shutdown', param: {} });
  if (inChunk(startupAt)) {
    out.push({
      ...base,
      t: startupAt,
      atype: 'startup',
      param: {
        startupOptions: { net: { bindIp: '0.0.0.0', port: process.port, tls: { mode: 'requireTLS' } }, auditLog: { destination: 'file', format: 'JSON', path: '/srv/mongodb/auditLog.json' }, security: { authorization: 'enabled' }, ...(process.replicaSetName === undefined ? {} : { replication: { replSetName: process.replicaSetName } }) },
        initialClusterServerParameters: [],
      },
    });
  }
  return out;
}

/** Whether the project's audit log is on at `ms` (scenario setting and audit-disabled attacks). */
export function isAuditEnabled(world: World, project: Project, ms: number): boolean {
  if (!project.spec.audit.enabled) return false;
  for (const a of world.attacks) {
    if (a.attack.type !== 'audit-disabled' || a.projectId !== project.id) continue;
    if (ms >= a.atMs && ms < a.atMs + a.attack.durationMinutes * 60000) return false;
  }
  return true;
}

/**
 * Every record of one process during one chunk, sorted by time (write order). Records outside
 * the scenario's [start, end) are dropped. Pure: the same inputs give the same records.
 */
export function recordsForProcessChunk(world: World, project: Project, process: Process, chunkStart: number, options: { agents: boolean } = { agents: true }): ActivityRecord[] {
  const chunkEnd = chunkStart + chunkMs;
  if (chunkEnd <= world.startMs || chunkStart >= world.endMs) return [];
  const ctx: ChunkContext = { world, project, process, chunkStart, hostKey: `${project.id}|${process.hostname}:${process.port}` };
  const out: ActivityRecord[] = options.agents ? agentRecords(ctx) : [];
  for (const user of project.spec.users) out.push(...userRecords(ctx, user));
  for (const attack of world.attacks) {
    if (attack.projectId !== project.id || attack.clusterName !== process.clusterName) continue;
    if (attack.atMs < chunkStart - chunkMs || attack.atMs >= chunkEnd) continue;
    for (const r of attackRecords(ctx, attack)) if (r.t >= chunkStart && r.t < chunkEnd) out.push(r);
  }
  for (const attack of world.attacks) {
    if (attack.attack.type === 'audit-disabled' && attack.projectId === project.id) out.push(...auditRestartRecords(ctx, attack.atMs, attack.attack.durationMinutes * 60000));
  }
  const kept = out.filter((r) => r.t >= world.startMs && r.t < world.endMs);
  kept.sort((a, b) => a.t - b.t);
  return kept;
}
