import type { JsonObject } from '@atlas-audit/shared/schema/json-value';
import type { Rule } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { bool, postureOf } from '../lib/posture.ts';

/** True when a maintenance-window state names a day of week (Atlas: 1 = Sunday … 7 = Saturday). */
export function hasMaintenanceWindow(state: JsonObject | undefined): boolean {
  if (state === undefined || bool(state, 'enabled') === false) return false;
  const day = state['dayOfWeek'];
  return typeof day === 'number' && day >= 1 && day <= 7;
}

/** Posture: a project has no maintenance window, so patches land whenever Atlas chooses (or are deferred). */
export const postureNoMaintenanceWindow: Rule = {
  id: 'posture-no-maintenance-window',
  name: 'Posture: no maintenance window',
  description: 'The project\'s maintenance-window snapshot has no day of week set, or the window was removed.',
  version: '1',
  threat: { tactic: tactics.initialAccess, technique: techniques.exploitPublicFacingApplication },
  category: ['configuration'],
  datasets: ['atlas.posture'],
  actorRule: false,
  evaluate(event, ctx) {
    const p = postureOf(event);
    if (p === undefined || p.kind !== 'maintenance_window' || hasMaintenanceWindow(p.state)) return none;
    return [{
      subject: `${ctx.scope}/maintenance-window`,
      severity: 'low',
      explanation: `project ${ctx.scope} has no maintenance window configured`,
      evidenceIds: [event.event.id],
      evidence: { change: p.change, state: p.state ?? null },
    }];
  },
};
