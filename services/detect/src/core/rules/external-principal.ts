import type { Rule } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';

const MEMBERSHIP_EVENTS = new Set(['INVITED_TO_ORG', 'JOINED_ORG', 'INVITED_TO_GROUP', 'JOINED_GROUP', 'JOINED_TEAM', 'INVITED_TO_TEAM']);

function domainOf(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  return at > 0 && at < email.length - 1 ? email.slice(at + 1).toLowerCase() : undefined;
}

/** True when `domain` is one of `allowed` or a subdomain of one. */
export function isAllowedDomain(domain: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => {
    const d = a.toLowerCase();
    return domain === d || domain.endsWith(`.${d}`);
  });
}

/** D9: an invite to / join of an organisation, project or team by an e-mail domain outside the allowed list (fallback: the inviter's domain). */
export const externalPrincipal: Rule = {
  id: 'external-principal',
  name: 'External principal added',
  description: 'A user from an e-mail domain outside the allowed domains (or, with none configured, outside the inviter\'s domain) was invited to or joined an organisation, project or team; High with a privileged role.',
  version: '1',
  threat: { tactic: tactics.persistence, technique: techniques.createAccount, subtechnique: techniques.createCloudAccount },
  category: ['iam'],
  datasets: ['atlas.activity'],
  actorRule: true,
  evaluate(event, ctx) {
    const type = event.event.action;
    if (!MEMBERSHIP_EVENTS.has(type)) return none;
    const isJoin = type.startsWith('JOINED_');
    const member = event.user?.target?.name ?? event.atlas.activity?.target_username ?? (isJoin ? event.user?.name : undefined);
    if (member === undefined) return none;
    const domain = domainOf(member);
    if (domain === undefined) return none;
    const allowed = ctx.config.raw.rules['external-principal'].allowedDomains;
    let why: string;
    if (allowed.length > 0) {
      if (isAllowedDomain(domain, allowed)) return none;
      why = `domain ${domain} is not in the allowed domains`;
    } else {
      const inviter = ctx.actor === undefined || ctx.actor.name === member ? undefined : domainOf(ctx.actor.name);
      if (inviter === undefined || inviter === domain) return none;
      why = `domain ${domain} differs from the inviter's ${inviter}`;
    }
    const roles = event.user?.target?.roles ?? [];
    const privileged = roles.filter((r) => ctx.config.isPrivileged(r));
    return [{
      subject: `${ctx.scope}/${member}`,
      severity: privileged.length > 0 ? 'high' : 'medium',
      explanation: `${member} ${isJoin ? 'joined' : 'was invited to'} ${ctx.scope} (${type}): ${why}`,
      evidenceIds: [event.event.id],
      allowlistPrincipal: member,
      evidence: { member, domain, event_type: type, roles, privileged_roles: privileged },
    }];
  },
};
