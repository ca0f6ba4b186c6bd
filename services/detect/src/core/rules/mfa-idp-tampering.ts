import type { Rule } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';

const EXACT = new Set(['ORG_TWO_FACTOR_AUTH_OPTIONAL', 'MULTI_FACTOR_AUTH_RESET_AUDIT', 'USER_SECURITY_SETTINGS_UPDATED', 'ORG_SSO_DISABLED']);
const PREFIXES = ['FEDERATION_SETTINGS_', 'IDENTITY_PROVIDER_', 'OIDC_IDENTITY_PROVIDER_', 'ROLE_MAPPING_', 'ORG_CONNECTED_TO_FEDERATION', 'ORG_DISCONNECTED_FROM_FEDERATION'];
const WEAKENING = /(DISABLED|DELETED|DEACTIVATED|REVOKED|OPTIONAL|RESET|REMOVED|DISCONNECTED)/;

/** True for MFA and identity-provider event types. */
export function isMfaOrIdpEvent(eventType: string): boolean {
  return EXACT.has(eventType) || PREFIXES.some((p) => eventType.startsWith(p));
}

/** D7: MFA made optional or reset, or federation / identity-provider settings changed; High when weakened. */
export const mfaIdpTampering: Rule = {
  id: 'mfa-idp-tampering',
  name: 'MFA or identity-provider tampering',
  description: 'Two-factor authentication made optional or reset, or federation, identity-provider, OIDC or role-mapping settings changed; High when disabled, deleted, revoked or reset, Medium for other updates.',
  version: '1',
  threat: { tactic: tactics.credentialAccess, technique: techniques.modifyAuthentication, subtechnique: techniques.multiFactorAuthentication },
  category: ['iam', 'configuration'],
  datasets: ['atlas.activity'],
  actorRule: true,
  evaluate(event, ctx) {
    const type = event.event.action;
    if (!isMfaOrIdpEvent(type)) return none;
    const weakened = WEAKENING.test(type);
    const by = ctx.actor === undefined ? '' : ` by ${ctx.actor.name}`;
    const target = event.user?.target?.name ?? event.atlas.activity?.target_username;
    return [{
      subject: `${ctx.scope}/${type}${target === undefined ? '' : `/${target}`}`,
      severity: weakened ? 'high' : 'medium',
      explanation: `${type}${target === undefined ? '' : ` for ${target}`}${by} in ${ctx.scope}${weakened ? ' (authentication weakened)' : ''}`,
      evidenceIds: [event.event.id],
      evidence: { event_type: type, weakened, ...(target !== undefined ? { target } : {}) },
    }];
  },
};
