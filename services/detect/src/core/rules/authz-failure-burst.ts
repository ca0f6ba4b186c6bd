import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { none, type Rule } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { MINUTE_MS, paramString } from '../lib/event-facts.ts';
import { addAttempt, densestAround, type Attempts } from '../lib/event-window.ts';

const NS = 'authz-fail';
const MAX_ENTRIES = 1000;
/** mongod's `Unauthorized` error code in an audit `authCheck` result. */
const UNAUTHORIZED = 13;

/** True for an audit authCheck refused as Unauthorized. */
export function isAuthorizationFailure(event: AtlasEvent): boolean {
  return event.event.dataset === 'atlas.audit' && event.event.action === 'authCheck' && event.atlas.result?.code === UNAUTHORIZED;
}

/** D4c: a burst of authorization failures (authCheck result 13) for one principal in a sliding window (order-tolerant). */
export const authzFailureBurst: Rule = {
  id: 'authz-failure-burst',
  name: 'Authorization failure burst',
  description: 'At least N authCheck failures (Unauthorized) for one principal within a sliding window: an account probing data or commands it is not granted, whatever order the events arrive in.',
  version: '1',
  threat: { tactic: tactics.collection, technique: techniques.dataFromInformationRepositories },
  category: ['iam'],
  datasets: ['atlas.audit'],
  actorRule: true,
  evaluate(event, ctx) {
    if (ctx.actor === undefined || !isAuthorizationFailure(event)) return none;
    const cfg = ctx.config.raw.rules['authz-failure-burst'];
    const t = ctx.timeMs;
    const windowMs = cfg.windowMinutes * MINUTE_MS;
    const horizonMs = Math.max(cfg.windowMinutes, cfg.orderToleranceMinutes) * MINUTE_MS;
    const target = `${paramString(event, 'command') ?? '?'} ${paramString(event, 'ns') ?? '?'}`;
    const prior = ctx.state.get<Attempts>(NS, ctx.actor.key);
    // Each authCheck line is its own attempt: the key is the event id, so only a replay counts once.
    const next = addAttempt(prior, [t, event.event.id, event.event.id, target], horizonMs, MAX_ENTRIES);
    if (next === undefined) return none;
    ctx.state.set(NS, ctx.actor.key, next);
    const subject = `${ctx.scope}/authz/${ctx.actor.name}@${ctx.actor.domain}`;
    // Already alerted on (suppression window open): the finding would be dropped, so the burst is not measured.
    if (ctx.suppressed('authz-failure-burst', subject)) return none;
    const burst = densestAround(next, t, windowMs, (e) => e[1]);
    if (burst.count < cfg.threshold) return none;
    const targets = [...new Set(burst.attempts.map((e) => e[3]))];
    const name = ctx.actor.name;
    return [{
      subject,
      severity: 'medium',
      explanation: `${burst.count} authorization failures for ${name} within ${cfg.windowMinutes} min (threshold ${cfg.threshold}) on ${targets.slice(0, 3).join(', ')}${targets.length > 3 ? ', …' : ''}`,
      evidenceIds: [event.event.id, ...burst.attempts.map((e) => e[2]).filter((id) => id !== event.event.id).slice(-49)],
      evidence: { failures: burst.count, window_minutes: cfg.windowMinutes, threshold: cfg.threshold, targets: targets.slice(0, 20) },
    }];
  },
};
