import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { access, activity, audit, diff, snapshot } from './fixtures.ts';

/** A small deterministic PRNG (mulberry32) so generated streams are identical run to run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A mixed, time-ordered stream over 60 days that trips most rules: routine logins from home
 * prefixes, occasional new prefixes, failure bursts, admin actions at all hours, drops,
 * control-plane changes and posture snapshots.
 */
export function mixedStream(seed = 42, principals = 12): AtlasEvent[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const start = Date.UTC(2025, 0, 1);
  const out: AtlasEvent[] = [];
  const users = Array.from({ length: principals }, (_, i) => `app_${i}`);
  const home = users.map((_, i) => `203.0.${100 + i}.${10 + i}`);
  for (let hour = 0; hour < 60 * 24; hour += 1) {
    const t = start + hour * 3_600_000;
    const iso = (offsetMs: number) => new Date(t + offsetMs).toISOString();
    for (let i = 0; i < users.length; i++) {
      const user = users[i] as string;
      if (rnd() < 0.3) out.push(access(user, home[i] as string, iso(Math.floor(rnd() * 3_000_000))));
    }
    if (rnd() < 0.02) out.push(access(pick(users), `198.51.${Math.floor(rnd() * 50)}.${Math.floor(rnd() * 250)}`, iso(3_100_000)));
    if (rnd() < 0.01) {
      const u = pick(users);
      for (let k = 0; k < 12; k++) out.push(access(u, '192.0.2.66', iso(3_200_000 + k * 20_000), { ok: false }));
    }
    if (rnd() < 0.03) out.push(audit(pick(['dropCollection', 'createUser', 'grantRolesToUser', 'find']), pick(users), iso(3_500_000), { param: { user: 'report_ro', db: 'admin', ns: 'sales.tmp', roles: [{ role: pick(['read', 'readWriteAnyDatabase']), db: 'admin' }] }, roles: [pick(['readWrite@sales', 'dbAdminAnyDatabase@admin'])] }));
    if (rnd() < 0.01) out.push(activity(pick(['NETWORK_PERMISSION_ENTRY_ADDED', 'ORG_TWO_FACTOR_AUTH_OPTIONAL', 'API_KEY_CREATED', 'INVITED_TO_ORG', 'DATA_EXPLORER']), 'alice@example.com', iso(3_550_000), { entry: pick(['0.0.0.0/0', '203.0.113.0/24']), target: pick(['bob@example.com', 'eve@evil.test', 'key1']) }));
    if (hour % 24 === 0) {
      out.push(snapshot('audit_log', 'auditLog', { enabled: rnd() < 0.5 }, iso(3_590_000)));
      out.push(diff('database_user', 'changed', 'admin/etl', { username: 'etl', roles: [] }, { username: 'etl', roles: [{ roleName: pick(['read', 'atlasAdmin']), databaseName: 'admin' }] }, iso(3_595_000)));
    }
  }
  // Dormant reuse: a principal last seen on day 1 comes back on day 100.
  out.push(access('old_svc', '203.0.113.9', new Date(start + 3_600_000).toISOString()));
  out.push(access('old_svc', '203.0.113.9', new Date(start + 100 * 86_400_000).toISOString()));
  return out.sort((a, b) => (a['@timestamp'] < b['@timestamp'] ? -1 : a['@timestamp'] > b['@timestamp'] ? 1 : 0));
}
