import { createRng, hashString, objectIdFor } from './rng.ts';
import type { Org, Project, World } from './world.ts';

/**
 * Project and organization activity-feed events: a few routine ones per day plus those of the
 * control-plane attacks. Links are added by the HTTP layer (they need the base URL).
 */

export type AtlasEvent = Record<string, unknown> & { id: string; created: string; eventTypeName: string; createdMs: number };

const dayMs = 24 * 3600 * 1000;

/** A stable public address for an Atlas console user. */
export function consoleAddressOf(email: string): string {
  const h = hashString(`addr:${email}`);
  return `198.51.100.${(h % 200) + 20}`;
}

function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function actorFields(email: string): Record<string, unknown> {
  return { userId: objectIdFor(`atlas-user:${email}`), username: email, remoteAddress: consoleAddressOf(email) };
}

function makeEvent(key: string, ms: number, type: string, fields: Record<string, unknown>): AtlasEvent {
  return { id: objectIdFor(`event:${key}`), created: isoSeconds(ms), eventTypeName: type, isGlobalAdmin: false, ...fields, createdMs: ms };
}

function routineProjectEvents(world: World, project: Project, fromMs: number, toMs: number): AtlasEvent[] {
  const out: AtlasEvent[] = [];
  const org = world.orgById.get(project.orgId);
  const actors = project.spec.atlasUsers.length > 0 ? project.spec.atlasUsers : org?.atlasUsers ?? [];
  if (actors.length === 0) return out;
  for (let day = Math.floor(Math.max(fromMs, world.startMs) / dayMs) * dayMs; day <= toMs && day < world.endMs; day += dayMs) {
    const rng = createRng(`${world.seed}|events|${project.id}|${day}`);
    const count = rng.poisson(project.spec.routineEventsPerDay);
    for (let i = 0; i < count; i++) {
      const ms = day + rng.int(0, dayMs - 1);
      const actor = rng.pick(actors);
      const kind = rng.int(0, 3);
      const dbUser = project.spec.users.length > 0 ? rng.pick(project.spec.users).username : 'app';
      const fields = { groupId: project.id, orgId: project.orgId, ...actorFields(actor) };
      const key = `${project.id}|${day}|${i}`;
      if (kind === 0) out.push(makeEvent(key, ms, 'MONGODB_USER_UPDATED', { ...fields, dbUserUsername: dbUser }));
      else if (kind === 1) out.push(makeEvent(key, ms, 'DATA_EXPLORER', { ...fields, clusterName: project.clusters[0]?.name, database: 'sales', collection: 'orders', opType: 'find' }));
      else if (kind === 2) out.push(makeEvent(key, ms, 'CLUSTER_UPDATE_STARTED', { ...fields, clusterName: project.clusters[0]?.name }));
      else out.push(makeEvent(key, ms, 'ALERT_CONFIG_CHANGED_AUDIT', { ...fields, alertConfigId: objectIdFor(`alert:${key}`) }));
    }
  }
  return out;
}

/** Every event of a project created in [fromMs, toMs], newest first. */
export function projectEvents(world: World, project: Project, fromMs: number, toMs: number): AtlasEvent[] {
  const out = routineProjectEvents(world, project, fromMs, toMs);
  for (const { attack, atMs, index } of world.attacks) {
    if (attack.project !== project.name) continue;
    const base = { groupId: project.id, orgId: project.orgId };
    const key = `attack|${index}`;
    switch (attack.type) {
      case 'audit-disabled': {
        const fields = { ...base, ...actorFields(attack.actor) };
        out.push(makeEvent(`${key}|off`, atMs, 'AUDIT_LOG_CONFIGURATION_UPDATED', fields));
        out.push(makeEvent(`${key}|on`, atMs + attack.durationMinutes * 60000, 'AUDIT_LOG_CONFIGURATION_UPDATED', fields));
        break;
      }
      case 'access-list-open':
        out.push(makeEvent(key, atMs, 'NETWORK_PERMISSION_ENTRY_ADDED', { ...base, ...actorFields(attack.actor), whitelistEntry: attack.cidr }));
        break;
      case 'role-grant':
      case 'backdoor-user':
        if (attack.via === 'atlas') {
          const user = attack.type === 'role-grant' ? attack.target : attack.newUser;
          out.push(makeEvent(key, atMs, attack.type === 'role-grant' ? 'MONGODB_USER_UPDATED' : 'MONGODB_USER_ADDED', { ...base, ...actorFields(attack.actorEmail ?? 'unknown@example.com'), dbUserUsername: user }));
        }
        break;
      default:
        break;
    }
  }
  return served(world, out, fromMs, toMs);
}

/** Every event of an organization created in [fromMs, toMs], newest first. */
export function orgEvents(world: World, org: Org, fromMs: number, toMs: number): AtlasEvent[] {
  const out: AtlasEvent[] = [];
  for (let day = Math.floor(Math.max(fromMs, world.startMs) / dayMs) * dayMs; day <= toMs && day < world.endMs; day += dayMs) {
    const rng = createRng(`${world.seed}|org-events|${org.id}|${day}`);
    if (org.atlasUsers.length === 0) break;
    const count = rng.poisson(1);
    for (let i = 0; i < count; i++) {
      const ms = day + rng.int(0, dayMs - 1);
      out.push(makeEvent(`${org.id}|${day}|${i}`, ms, rng.chance(0.5) ? 'INVOICE_CLOSED' : 'CHARGE_SUCCEEDED', { orgId: org.id, ...actorFields(rng.pick(org.atlasUsers)) }));
    }
  }
  for (const { attack, atMs, index, orgId } of world.attacks) {
    if (orgId !== org.id) continue;
    const base = { orgId: org.id };
    const key = `attack|${index}`;
    if (attack.type === 'mfa-disabled') out.push(makeEvent(key, atMs, 'ORG_TWO_FACTOR_AUTH_OPTIONAL', { ...base, ...actorFields(attack.actor) }));
    else if (attack.type === 'api-key-created') out.push(makeEvent(key, atMs, 'API_KEY_CREATED', { ...base, ...actorFields(attack.actor), targetPublicKey: attack.publicKey, apiKeyId: objectIdFor(`apikey:${attack.publicKey}`) }));
    else if (attack.type === 'external-invite') out.push(makeEvent(key, atMs, 'INVITED_TO_ORG', { ...base, ...actorFields(attack.actor), targetUsername: attack.invitee }));
  }
  return served(world, out, fromMs, toMs);
}

/**
 * The events created in [fromMs, toMs] that fall inside the world's [start, end), newest first.
 * Events derived from an attack can fall outside it (an audit-disabled attack's re-enable event
 * after the end): none is served there, as no routine event is.
 */
function served(world: World, events: AtlasEvent[], fromMs: number, toMs: number): AtlasEvent[] {
  return events
    .filter((e) => e.createdMs >= fromMs && e.createdMs <= toMs && e.createdMs >= world.startMs && e.createdMs < world.endMs)
    .sort((a, b) => b.createdMs - a.createdMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
