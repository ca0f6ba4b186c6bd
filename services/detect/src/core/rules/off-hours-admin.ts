import type { Rule } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { adminAtypes, adminEventTypes, sensitiveActions } from '../lib/admin-actions.ts';
import { formatMinuteOfDay, judgeBusinessHours, dayNames } from '../lib/business-hours.ts';
import { DAY_MS } from '../lib/event-facts.ts';

/** Per actor: hour-of-week slot (0–167, local) → local days (epoch day numbers) with admin activity in it. */
type Slots = Record<string, number[]>;
const NS = 'admin-slots';
const MAX_DAYS_PER_SLOT = 16;

/**
 * D2: an admin-class action outside business hours (working days, daily window, holidays) in the
 * principal's zone, unless the actor's hour-of-week slot is an established habit (admin activity
 * in that slot on at least `activeSlotDays` earlier days within `slotLookbackDays`).
 */
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
    const cfg = ctx.config.raw.rules['off-hours-admin'];
    const calendar = ctx.config.calendarFor(actor.name);
    const verdict = judgeBusinessHours(ctx.timeMs, calendar);
    const slot = String(verdict.local.weekday * 24 + Math.floor(verdict.local.minuteOfDay / 60));
    const day = Math.floor(Date.parse(`${verdict.local.date}T00:00:00Z`) / DAY_MS);
    let slotDays = 0;
    if (cfg.activeSlotDays > 0) {
      const slots = ctx.state.get<Slots>(NS, actor.key) ?? {};
      const days = slots[slot] ?? [];
      const oldest = day - cfg.slotLookbackDays;
      slotDays = days.filter((d) => d < day && d >= oldest).length;
      if (!days.includes(day)) {
        slots[slot] = [...days.filter((d) => d >= oldest), day].sort((a, b) => a - b).slice(-MAX_DAYS_PER_SLOT);
        ctx.state.set(NS, actor.key, slots);
      }
    }
    if (verdict.inside) return none;
    if (cfg.activeSlotDays > 0 && slotDays >= cfg.activeSlotDays) return none;
    const local = `${verdict.local.date} ${formatMinuteOfDay(verdict.local.minuteOfDay)} ${calendar.timeZone}`;
    return [{
      subject: actor.key,
      severity: sensitiveActions.has(action) ? 'high' : 'medium',
      explanation: `${action} by ${actor.name} at ${local} (${dayNames[verdict.local.weekday] ?? ''}), ${verdict.why}`,
      evidenceIds: [event.event.id],
      evidence: { action, local_time: local, time_zone: calendar.timeZone, reason: verdict.why, business_hours: `${calendar.days.join(',')} ${calendar.start}-${calendar.end}`, hour_of_week_slot: Number(slot), earlier_days_in_slot: slotDays },
    }];
  },
};
