import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { CompiledConfig } from '../config/compile.ts';
import type { Finding, Rule, RuleContext } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { actorRolesOf, paramString } from '../lib/event-facts.ts';
import { postureOf, str } from '../lib/posture.ts';
import { roleRefsOf } from '../lib/roles.ts';
import { prefixKnown } from './new-ip.ts';

const GRANT_ATYPES = new Set(['createUser', 'grantRolesToUser', 'updateUser']);
const ACTIVITY_ROLE_EVENTS = new Set([
  'MONGODB_USER_ADDED', 'MONGODB_USER_UPDATED', 'USER_ROLES_CHANGED_AUDIT', 'TEAM_ROLES_MODIFIED', 'API_KEY_ROLES_CHANGED',
  'SERVICE_ACCOUNT_ROLES_CHANGED', 'JOINED_ORG', 'JOINED_GROUP', 'INVITED_TO_ORG', 'INVITED_TO_GROUP', 'API_KEY_ADDED_TO_GROUP',
]);

/** A role is unexpected when it is privileged or the principal is in the register, and no register entry approves it. */
function isUnexpected(config: CompiledConfig, principal: string, project: string, ref: string): boolean {
  if (!config.isPrivileged(ref) && !config.hasRegisterEntry(principal, project)) return false;
  return config.approvalOf(principal, project, ref) === undefined;
}

type Grant = { target: string; targetDomain: string | undefined; roles: string[]; how: string };

/** Roles granted to (or now held by) someone by this event, from audit params, Atlas events or a database-user diff. */
function grantOf(event: AtlasEvent): Grant | undefined {
  const ds = event.event.dataset;
  if (ds === 'atlas.audit' && GRANT_ATYPES.has(event.event.action) && event.event.outcome !== 'failure') {
    const target = paramString(event, 'user') ?? event.user?.target?.name;
    const db = paramString(event, 'db') ?? event.user?.target?.domain;
    if (target === undefined) return undefined;
    const fromParam = roleRefsOf(event.atlas.param?.['roles']).map((r) => (r.includes('@') || db === undefined ? r : `${r}@${db}`));
    const roles = fromParam.length > 0 ? fromParam : (event.user?.target?.roles ?? []);
    return { target, targetDomain: db, roles, how: event.event.action };
  }
  if (ds === 'atlas.activity' && ACTIVITY_ROLE_EVENTS.has(event.event.action)) {
    const a = event.atlas.activity;
    const target = event.user?.target?.name ?? a?.db_user_username ?? a?.target_username ?? (event.event.action.startsWith('JOINED_') ? event.user?.name : undefined);
    const roles = event.user?.target?.roles ?? [];
    if (target === undefined || roles.length === 0) return undefined;
    return { target, targetDomain: event.user?.target?.domain, roles, how: event.event.action };
  }
  if (ds === 'atlas.posture') {
    const p = postureOf(event);
    if (p === undefined || p.kind !== 'database_user' || p.state === undefined || p.change === 'state') return undefined;
    const target = str(p.state, 'username') ?? p.resource;
    const after = roleRefsOf(p.state['roles']);
    const before = new Set(roleRefsOf(p.before?.['roles']));
    return { target, targetDomain: str(p.state, 'databaseName'), roles: after.filter((r) => !before.has(r)), how: `database user ${p.change}` };
  }
  return undefined;
}

function actingFindings(event: AtlasEvent, ctx: RuleContext, memo: Map<string, string[]>): readonly Finding[] {
  const actor = ctx.actor;
  if (actor === undefined || actor.isAgent) return none;
  const roles = actorRolesOf(event);
  if (roles.length === 0) return none;
  const memoKey = `${ctx.scope}|${actor.name}|${roles.join(',')}`;
  let bad = memo.get(memoKey);
  if (bad === undefined) {
    bad = roles.filter((r) => isUnexpected(ctx.config, actor.name, ctx.scope, r));
    if (memo.size >= 200_000) memo.clear();
    memo.set(memoKey, bad);
  }
  if (bad.length === 0) return none;
  return bad.map((role) => ({
    subject: `${ctx.scope}/${actor.name}/${role}`,
    severity: 'high',
    explanation: `${actor.name} acts with role ${role}, which is not in its approved set (${event.event.action})`,
    evidenceIds: [event.event.id],
    evidence: { role, held_roles: [...roles], privileged: ctx.config.isPrivileged(role), how: 'acts with' },
  }));
}

/** D1: a principal holds, is granted, or acts with a role outside its approved set; Critical when self-granted. */
export function createUnexpectedRole(): Rule {
  // Decisions per (project, principal, role list) are pure functions of config: memoised per engine.
  const memo = new Map<string, string[]>();
  return {
    id: 'unexpected-role',
    name: 'Role outside the approved set',
    description: 'A principal holds, is granted, or acts with a role that is privileged or outside its entry in the approved role register; Critical when the actor granted it to itself.',
    version: '1',
    threat: { tactic: tactics.privilegeEscalation, technique: techniques.accountManipulation, subtechnique: techniques.additionalCloudRoles },
    category: ['iam'],
    datasets: ['atlas.audit', 'atlas.activity', 'atlas.posture'],
    actorRule: false,
    evaluate(event, ctx) {
      const acting = event.event.dataset === 'atlas.audit' ? actingFindings(event, ctx, memo) : none;
      const grant = grantOf(event);
      if (grant === undefined) return acting;
      const bad = grant.roles.filter((r) => isUnexpected(ctx.config, grant.target, ctx.scope, r));
      if (bad.length === 0) return acting;
      const actor = ctx.actor;
      const selfGranted = actor !== undefined && actor.name === grant.target && event.event.dataset !== 'atlas.posture';
      // A grant from a prefix the actor never logged in from is as suspicious as a self-grant.
      const ip = event.source?.ip;
      const fromNewPrefix = actor !== undefined && ip !== undefined && prefixKnown(ctx, actor.key, ip) === false;
      const by = actor === undefined ? '' : ` by ${actor.name}`;
      const granted = bad.map((role): Finding => ({
        subject: `${ctx.scope}/${grant.target}/${role}`,
        severity: selfGranted || fromNewPrefix ? 'critical' : 'high',
        explanation: selfGranted
          ? `${grant.target} granted itself role ${role}, which is not in its approved set (${grant.how})`
          : `${grant.target} was granted role ${role}${by}${fromNewPrefix ? ` from a prefix ${actor?.name ?? ''} never logged in from (${ip ?? ''})` : ''}, which is not in its approved set (${grant.how})`,
        evidenceIds: [event.event.id],
        allowlistPrincipal: grant.target,
        user: {
          name: actor?.name ?? grant.target,
          ...(actor !== undefined ? { domain: actor.domain } : {}),
          target: { name: grant.target, ...(grant.targetDomain !== undefined ? { domain: grant.targetDomain } : {}), roles: grant.roles },
        },
        evidence: { role, granted_roles: grant.roles, privileged: ctx.config.isPrivileged(role), self_granted: selfGranted, actor_on_new_prefix: fromNewPrefix, how: grant.how, ...(actor !== undefined ? { granted_by: actor.name } : {}) },
      }));
      return acting.length === 0 ? granted : [...granted, ...acting];
    },
  };
}
