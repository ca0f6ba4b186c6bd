import { randomUuid, userSession, type ActivityRecord, type ChunkContext } from './activity.ts';
import { chunkStartOf } from './chunks.ts';
import { createRng } from './rng.ts';
import type { ScenarioUser } from './scenario.ts';
import type { ResolvedAttack } from './world.ts';

/**
 * The audit-log side of scheduled attacks. Each attack's records depend only on the attack and
 * the seed (not on which chunk asks), so a burst crossing a chunk boundary splits consistently.
 * Control-plane attacks (audit disabled, access list opened, MFA off…) have no audit records.
 */

function stubUser(username: string): ScenarioUser {
  return {
    username, kind: 'human', authDb: 'admin', mechanism: 'SCRAM-SHA-256', roles: [{ role: 'read', db: 'test' }], scopes: [], ips: ['127.0.0.1'],
    timeZone: 'UTC', workingHours: 'always', sessionsPerHour: 0, offHoursFactor: 0, opsPerSession: 0, failureRate: 0, databases: [],
  };
}

/** Audit records of one attack on the process in `ctx`; [] when another process is the target. */
export function attackRecords(chunkCtx: ChunkContext, resolved: ResolvedAttack): ActivityRecord[] {
  const { attack, atMs } = resolved;
  const { project, process } = chunkCtx;
  const cluster = project.clusters.find((c) => c.name === resolved.clusterName);
  if (cluster === undefined) return [];
  const wantKind = cluster.spec.mongos ? 'mongos' : 'mongod';
  const targetNode = Math.min(attack.node, cluster.spec.nodes - 1);
  if (process.clusterName !== cluster.name || process.nodeIndex !== targetNode || process.kind !== wantKind) return [];
  // The clamp inside userSession is relative to the attack, not to the asking chunk.
  const ctx: ChunkContext = { ...chunkCtx, chunkStart: atMs };
  const rng = createRng(`${chunkCtx.world.seed}|attack|${resolved.index}`);
  const userOf = (name: string): ScenarioUser => project.usersByName.get(name) ?? stubUser(name);
  const adminOp = (session: ActivityRecord[], atype: string, param: Record<string, unknown>, offsetMs: number): ActivityRecord => {
    const auth = session.find((r) => r.atype === 'authenticate');
    const first = session[0];
    return { t: atMs + offsetMs, atype, conn: first?.conn ?? 0, uuid: first?.uuid ?? '', remote: first?.remote ?? null, users: auth?.users ?? [], roles: auth?.roles ?? [], param, result: 0, agent: false };
  };
  const withoutLogout = (records: ActivityRecord[]): { session: ActivityRecord[]; logout: ActivityRecord | undefined } => {
    const logout = records.find((r) => r.atype === 'logout');
    return { session: records.filter((r) => r !== logout), logout };
  };
  const finish = (session: ActivityRecord[], ops: ActivityRecord[], logout: ActivityRecord | undefined): ActivityRecord[] => {
    const last = ops.reduce((m, r) => Math.max(m, r.t), atMs);
    return [...session, ...ops, ...(logout === undefined ? [] : [{ ...logout, t: Math.max(logout.t, last + 50) }])];
  };
  const automationOp = (t: number, atype: string, param: Record<string, unknown>): ActivityRecord => ({
    t, atype, conn: rng.int(1000, 99999), uuid: randomUuid(rng), remote: { ip: '127.0.0.1', port: rng.int(32768, 60999) },
    users: [{ user: 'mms-automation', db: 'admin' }], roles: [{ role: 'root', db: 'admin' }], param, result: 0, agent: true,
  });
  switch (attack.type) {
    case 'new-ip-login':
      return userSession(ctx, rng, userOf(attack.user), { t0: atMs, ip: attack.ip, fail: false, ops: attack.ops });
    case 'brute-force': {
      const out: ActivityRecord[] = [];
      const targets = [attack.user, ...attack.extraUsers];
      const spanMs = attack.durationMinutes * 60000;
      for (let i = 0; i < attack.attempts; i++) {
        const name = targets[i % targets.length] ?? attack.user;
        const known = project.usersByName.has(name);
        const t0 = atMs + Math.floor((spanMs * i) / attack.attempts);
        out.push(...userSession(ctx, rng, userOf(name), { t0, ip: attack.ip, fail: true, ops: 0, failResult: known ? 18 : 11 }));
      }
      if (attack.thenSucceed) out.push(...userSession(ctx, rng, userOf(attack.user), { t0: atMs + spanMs + 1000, ip: attack.ip, fail: false, ops: 5 }));
      return out;
    }
    case 'off-hours-admin': {
      const user = userOf(attack.user);
      const { session, logout } = withoutLogout(userSession(ctx, rng, user, { t0: atMs, ip: attack.ip ?? user.ips[0] ?? '127.0.0.1', fail: false, ops: 0 }));
      const db = user.databases[0] ?? user.roles.find((r) => r.db !== 'admin')?.db ?? 'test';
      const ops = [
        adminOp(session, 'createCollection', { ns: `${db}.tmp_export` }, 4000),
        adminOp(session, 'createIndex', { ns: `${db}.tmp_export`, indexName: 'email_1', indexSpec: { v: 2, key: { email: 1 }, name: 'email_1' }, indexBuildState: 'IndexBuildSucceeded' }, 9000),
        adminOp(session, 'renameCollection', { old: `${db}.customers`, new: `${db}.customers_old` }, 15000),
        adminOp(session, 'dropIndex', { ns: `${db}.orders`, indexName: 'created_1' }, 21000),
      ];
      return finish(session, ops, logout);
    }
    case 'role-grant': {
      const target = userOf(attack.target);
      if (attack.via === 'atlas') return [automationOp(atMs, 'updateUser', { user: target.username, db: target.authDb, passwordChanged: false, roles: [...target.roles.map((r) => ({ role: r.role, db: r.db })), { role: attack.role.role, db: attack.role.db }] })];
      const actor = userOf(attack.actor);
      const { session, logout } = withoutLogout(userSession(ctx, rng, actor, { t0: atMs, ip: attack.ip ?? actor.ips[0] ?? '127.0.0.1', fail: false, ops: 0 }));
      return finish(session, [adminOp(session, 'grantRolesToUser', { user: target.username, db: target.authDb, roles: [{ role: attack.role.role, db: attack.role.db }] }, 5000)], logout);
    }
    case 'backdoor-user': {
      if (attack.via === 'atlas') return [automationOp(atMs, 'createUser', { user: attack.newUser, db: 'admin', roles: [{ role: attack.role.role, db: attack.role.db }] })];
      const actor = userOf(attack.actor);
      const { session, logout } = withoutLogout(userSession(ctx, rng, actor, { t0: atMs, ip: attack.ip ?? actor.ips[0] ?? '127.0.0.1', fail: false, ops: 0 }));
      return finish(session, [adminOp(session, 'createUser', { user: attack.newUser, db: 'admin', roles: [{ role: attack.role.role, db: attack.role.db }] }, 5000)], logout);
    }
    case 'drop-database': {
      const user = userOf(attack.user);
      const { session, logout } = withoutLogout(userSession(ctx, rng, user, { t0: atMs, ip: attack.ip ?? user.ips[0] ?? '127.0.0.1', fail: false, ops: 0 }));
      const ops = attack.collections.map((c, i) => adminOp(session, 'dropCollection', { ns: `${attack.database}.${c}` }, 3000 + i * 20));
      ops.push(adminOp(session, 'dropDatabase', { ns: attack.database }, 3000 + attack.collections.length * 20 + 5));
      return finish(session, ops, logout);
    }
    case 'authz-failures': {
      const user = userOf(attack.user);
      const { session, logout } = withoutLogout(userSession(ctx, rng, user, { t0: atMs, ip: attack.ip ?? user.ips[0] ?? '127.0.0.1', fail: false, ops: 0 }));
      const [db, ...rest] = attack.namespace.split('.');
      const coll = rest.join('.') || 'data';
      const ops: ActivityRecord[] = [];
      for (let i = 0; i < attack.count; i++) ops.push({ ...adminOp(session, 'authCheck', { command: 'find', ns: attack.namespace, args: { find: coll, filter: {}, $db: db ?? 'test' } }, 2000 + i * 150), result: 13 });
      return finish(session, ops, logout);
    }
    default:
      return [];
  }
}

/** The chunk starts an attack's records can fall into (its own and the next one). */
export function attackChunks(atMs: number): number[] {
  const c = chunkStartOf(atMs);
  return [c, c + 5 * 60 * 1000];
}
