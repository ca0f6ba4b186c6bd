import type { Rule } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { DAY_MS, isoDate, isSuccessfulAuth } from '../lib/event-facts.ts';

const NS = 'last-success';

/** D11: a successful login by a principal with no successful login for `dormantDays`. */
export const dormantAccount: Rule = {
  id: 'dormant-account',
  name: 'Dormant account used again',
  description: 'A principal authenticated successfully after no successful authentication for the configured number of days.',
  version: '1',
  threat: { tactic: tactics.initialAccess, technique: techniques.validAccounts },
  category: ['authentication'],
  datasets: ['atlas.access', 'atlas.audit', 'atlas.activity'],
  actorRule: true,
  evaluate(event, ctx) {
    const actor = ctx.actor;
    if (actor === undefined || !isSuccessfulAuth(event)) return none;
    const t = ctx.timeMs;
    const last = ctx.state.get<number>(NS, actor.key);
    if (last !== undefined && last >= t) return none;
    ctx.state.set(NS, actor.key, t);
    const dormantDays = ctx.config.raw.rules['dormant-account'].dormantDays;
    if (last === undefined || t - last < dormantDays * DAY_MS) return none;
    const idleDays = Math.floor((t - last) / DAY_MS);
    return [{
      subject: actor.key,
      severity: 'medium',
      explanation: `${actor.name} logged in after ${idleDays} d without a successful login (last ${isoDate(last)})`,
      evidenceIds: [event.event.id],
      evidence: { last_success: new Date(last).toISOString(), idle_days: idleDays, dormant_days: dormantDays },
    }];
  },
};
