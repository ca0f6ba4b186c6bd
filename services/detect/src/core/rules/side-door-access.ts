import type { Rule } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { anyGlobMatches, compileGlob, type Glob } from '../lib/glob.ts';
import { judgeBusinessHours } from '../lib/business-hours.ts';

const SIDE_DOOR = /^(DATA_EXPLORER|DATA_EXPLORER_CRUD|ALERT_HOST_SSH_SESSION_STARTED|.*SUPPORT_ACCESS.*(GRANTED|ALLOWED).*|.*LOGS?_DOWNLOAD.*|.*DOWNLOAD.*LOGS?.*)$/;

/** D12: data reached outside the database drivers: Data Explorer, support access, host SSH or log downloads. */
export function createSideDoorAccess(): Rule {
  const globsByList = new WeakMap<readonly string[], Glob[]>();
  return {
    id: 'side-door-access',
    name: 'Side-door data access',
    description: 'Data Explorer use, MongoDB support access granted, host SSH sessions or log downloads by an actor outside the allowed set, or outside business hours.',
    version: '1',
    threat: { tactic: tactics.collection, technique: techniques.dataFromInformationRepositories },
    category: ['database', 'web'],
    datasets: ['atlas.activity'],
    actorRule: true,
    evaluate(event, ctx) {
      const type = event.event.action;
      if (!SIDE_DOOR.test(type)) return none;
      const cfg = ctx.config.raw.rules['side-door-access'];
      let allowed = globsByList.get(cfg.allowedActors);
      if (allowed === undefined) {
        allowed = cfg.allowedActors.map(compileGlob);
        globsByList.set(cfg.allowedActors, allowed);
      }
      const actorName = ctx.actor?.name ?? 'unknown actor';
      const isAllowedActor = ctx.actor !== undefined && anyGlobMatches(allowed, ctx.actor.name);
      const verdict = judgeBusinessHours(ctx.timeMs, ctx.config.calendarFor(actorName));
      const reasons: string[] = [];
      if (!isAllowedActor && !cfg.outsideBusinessHoursOnly) reasons.push('actor not in the allowed set');
      if (!verdict.inside) reasons.push(verdict.why);
      if (reasons.length === 0) return none;
      const a = event.atlas.activity;
      const what = [a?.cluster_name, a?.database, a?.collection, a?.op_type].filter((x) => x !== undefined).join(' ');
      return [{
        subject: `${ctx.scope}/${actorName}`,
        severity: isAllowedActor ? 'low' : 'medium',
        explanation: `${type}${what === '' ? '' : ` (${what})`} by ${actorName} in ${ctx.scope}: ${reasons.join('; ')}`,
        evidenceIds: [event.event.id],
        evidence: { event_type: type, reasons, allowed_actor: isAllowedActor, local_date: verdict.local.date },
      }];
    },
  };
}
