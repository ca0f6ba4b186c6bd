import type { Rule } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { adminAtypes, adminEventTypes, sensitiveActions } from '../lib/admin-actions.ts';
import { formatMinuteOfDay, judgeBusinessHours, dayNames } from '../lib/business-hours.ts';

/** D2: an admin-class action outside business hours (working days, daily window, holidays) in the principal's zone. */
export const offHoursAdmin: Rule = {
  id: 'off-hours-admin',
  name: 'Admin activity outside business hours',
  description: 'An admin-class action (user and role management, drops, configuration, shutdown, access-list or audit-config change) outside business hours, judged in the configured time zone at the event time (weekends, holidays and DST included).',
  version: '1',
  threat: { tactic: tactics.initialAccess, technique: techniques.validAccounts, subtechnique: techniques.cloudAccounts },
  category: ['iam', 'configuration'],
  datasets: ['atlas.audit', 'atlas.activity'],
  actorRule: true,
  evaluate(event, ctx) {
    const actor = ctx.actor;
    if (actor === undefined || event.event.outcome === 'failure') return none;
    const action = event.event.action;
    const isAdmin = event.event.dataset === 'atlas.audit' ? adminAtypes.has(action) : adminEventTypes.has(action);
    if (!isAdmin && !ctx.config.raw.rules['off-hours-admin'].extraActions.includes(action)) return none;
    const calendar = ctx.config.calendarFor(actor.name);
    const verdict = judgeBusinessHours(ctx.timeMs, calendar);
    if (verdict.inside) return none;
    const local = `${verdict.local.date} ${formatMinuteOfDay(verdict.local.minuteOfDay)} ${calendar.timeZone}`;
    return [{
      subject: actor.key,
      severity: sensitiveActions.has(action) ? 'high' : 'medium',
      explanation: `${action} by ${actor.name} at ${local} (${dayNames[verdict.local.weekday] ?? ''}), ${verdict.why}`,
      evidenceIds: [event.event.id],
      evidence: { action, local_time: local, time_zone: calendar.timeZone, reason: verdict.why, business_hours: `${calendar.days.join(',')} ${calendar.start}-${calendar.end}` },
    }];
  },
};
