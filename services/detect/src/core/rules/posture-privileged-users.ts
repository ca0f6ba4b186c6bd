import type { Rule } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { postureOf, str } from '../lib/posture.ts';
import { roleRefsOf } from '../lib/roles.ts';

/** Posture: a database user holds privileged roles that the approved role register does not grant it. */
export const posturePrivilegedUsers: Rule = {
  id: 'posture-privileged-users',
  name: 'Posture: privileged database users beyond the register',
  description: 'A database-user snapshot shows privileged roles not approved for that user in the approved role register.',
  version: '1',
  threat: { tactic: tactics.persistence, technique: techniques.accountManipulation, subtechnique: techniques.additionalCloudRoles },
  category: ['iam'],
  datasets: ['atlas.posture'],
  actorRule: false,
  evaluate(event, ctx) {
    const p = postureOf(event);
    if (p === undefined || p.kind !== 'database_user' || p.change !== 'state' || p.state === undefined) return none;
    const user = str(p.state, 'username') ?? p.resource;
    const roles = roleRefsOf(p.state['roles']);
    const excess = roles.filter((r) => ctx.config.isPrivileged(r) && ctx.config.approvalOf(user, ctx.scope, r) === undefined);
    if (excess.length === 0) return none;
    return [{
      subject: `${ctx.scope}/${user}`,
      severity: 'medium',
      explanation: `database user ${user} in project ${ctx.scope} holds privileged role(s) ${excess.join(', ')} not in the approved register`,
      evidenceIds: [event.event.id],
      allowlistPrincipal: user,
      user: { name: user, roles },
      evidence: { user, roles, unapproved_privileged_roles: excess },
    }];
  },
};
