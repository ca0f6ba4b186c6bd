import type { Rule } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { bool, postureOf } from '../lib/posture.ts';

/** Posture: database auditing is off in a project (customer duty: enable auditing). */
export const postureAuditingOff: Rule = {
  id: 'posture-auditing-off',
  name: 'Posture: database auditing off',
  description: 'The project\'s audit-log configuration snapshot shows auditing disabled (or the configuration was removed).',
  version: '1',
  threat: { tactic: tactics.defenseEvasion, technique: techniques.impairDefenses, subtechnique: techniques.disableCloudLogs },
  category: ['configuration'],
  datasets: ['atlas.posture'],
  actorRule: false,
  evaluate(event, ctx) {
    const p = postureOf(event);
    if (p === undefined || p.kind !== 'audit_log') return none;
    if (p.state !== undefined && bool(p.state, 'enabled') !== false) return none;
    return [{
      subject: `${ctx.scope}/auditing-off`,
      severity: 'high',
      explanation: `database auditing is off in project ${ctx.scope}`,
      evidenceIds: [event.event.id],
      evidence: { resource: p.resource, change: p.change, state: p.state ?? null },
    }];
  },
};
