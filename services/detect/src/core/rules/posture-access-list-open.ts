import type { Rule } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { postureOf, str } from '../lib/posture.ts';
import { exposureOf } from './network-exposure.ts';

/** Posture: an IP access-list entry open to the world (or wider than the minimum prefix). */
export const postureAccessListOpen: Rule = {
  id: 'posture-access-list-open',
  name: 'Posture: access list open to the world',
  description: 'An IP access-list entry in the snapshot is 0.0.0.0/0, ::/0 or a prefix shorter than the configured minimum.',
  version: '1',
  threat: { tactic: tactics.initialAccess, technique: techniques.externalRemoteServices },
  category: ['network', 'configuration'],
  datasets: ['atlas.posture'],
  actorRule: false,
  evaluate(event, ctx) {
    const p = postureOf(event);
    if (p === undefined || p.kind !== 'access_list_entry' || p.state === undefined) return none;
    const cidr = str(p.state, 'cidrBlock') ?? str(p.state, 'ipAddress') ?? p.resource;
    const why = exposureOf(cidr, ctx.config.raw.rules['posture-access-list-open'].minPrefixLength, []);
    if (why === undefined) return none;
    const comment = str(p.state, 'comment');
    return [{
      subject: `${ctx.scope}/${cidr}`,
      severity: 'high',
      explanation: `access list of project ${ctx.scope} contains ${cidr}: ${why}${comment === undefined ? '' : ` (comment: ${comment})`}`,
      evidenceIds: [event.event.id],
      evidence: { cidr, reason: why, state: p.state },
    }];
  },
};
