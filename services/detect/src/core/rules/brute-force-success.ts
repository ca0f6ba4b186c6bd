import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { Finding, Rule, RuleContext } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { isFailedAuth, isoTime, isSuccessfulAuth, MINUTE_MS, paramString } from '../lib/event-facts.ts';
import { addAttempt, attemptsBetween, newestDistinct, type Attempt, type Attempts } from '../lib/event-window.ts';
import { prefixOf } from '../lib/ip.ts';

/**
 * Per principal: failed logins [time, second|ip, id, prefix] and successful logins
 * [time, minute, id, ip]. Successes are kept at most one per minute, so a busy service account
 * writes its state at most once a minute; the success's prefix is computed only when judged.
 */
type Logins = { f: Attempts; s: Attempts };
const NS = 'brute-force';
const MAX_FAILURES = 1000;
const MAX_SUCCESSES = 64;

function principalOf(event: AtlasEvent): string | undefined {
  return event.user?.name ?? paramString(event, 'user');
}

/** The finding for `success` when enough failures for the principal, one of them from its prefix, precede it within the window. */
function judge(success: Attempt, failures: Attempts, user: string, ctx: RuleContext): Finding | undefined {
  const subject = `${ctx.scope}/brute-force-success/${user}`;
  // Already alerted on (suppression window open): the finding would be dropped, so it is not built.
  if (ctx.suppressed('brute-force-success', subject)) return undefined;
  const cfg = ctx.config.raw.rules['brute-force-success'];
  const withinMs = cfg.withinMinutes * MINUTE_MS;
  const [s, , successId, ip] = success;
  const prefix = prefixOf(ip) ?? ip;
  const before = attemptsBetween(failures, s - withinMs, s);
  if (before.length < cfg.failureThreshold) return undefined;
  // A success from an address block the failures came from: the guesser got in (a legitimate client elsewhere logging in during an attack is not this).
  if (!before.some((e) => e[3] === prefix)) return undefined;
  const distinct = new Set<string>();
  for (const e of before) distinct.add(e[1]);
  if (distinct.size < cfg.failureThreshold) return undefined;
  // attemptsBetween keeps list order, oldest first.
  const first = before[0]?.[0] ?? s;
  return {
    subject,
    severity: 'critical',
    explanation: `successful login for ${user} from ${prefix} after ${distinct.size} failed logins within ${cfg.withinMinutes} min (first ${isoTime(first)}): credential likely compromised`,
    evidenceIds: [successId, ...newestDistinct(before, (e) => e[2], 49)],
    allowlistPrincipal: user,
    user: { name: user },
    sourcePrefix: prefix,
    evidence: { success_at: isoTime(s), prefix, failures: distinct.size, first_failure: isoTime(first), within_minutes: cfg.withinMinutes, threshold: cfg.failureThreshold },
  };
}

/** D4b: N failed logins for one principal followed, within the window, by a success from the same address block. */
export const bruteForceSuccess: Rule = {
  id: 'brute-force-success',
  name: 'Brute force followed by a successful login',
  description: 'At least N failed authentications for one principal, then a successful login for it from an address block the failures came from, within the window; judged whatever order the failures and the success arrive in.',
  version: '1',
  threat: { tactic: tactics.credentialAccess, technique: techniques.bruteForce },
  category: ['authentication'],
  datasets: ['atlas.access', 'atlas.audit', 'atlas.activity'],
  actorRule: true,
  evaluate(event, ctx) {
    const failed = isFailedAuth(event);
    if (!failed && !isSuccessfulAuth(event)) return none;
    const user = principalOf(event);
    if (user === undefined) return none;
    const ip = event.source?.ip;
    if (ip === undefined) return none;
    const cfg = ctx.config.raw.rules['brute-force-success'];
    const t = ctx.timeMs;
    const horizonMs = Math.max(cfg.withinMinutes, cfg.orderToleranceMinutes) * MINUTE_MS;
    const key = ctx.actor !== undefined && ctx.actor.name === user ? ctx.actor.key : `${ctx.scope}/${user}@`;
    const prior = ctx.state.get<Logins>(NS, key);
    if (failed) {
      const logins: Logins = prior ?? { f: [], s: [] };
      const f = addAttempt(logins.f, [t, `${Math.floor(t / 1000)}|${ip}`, event.event.id, prefixOf(ip) ?? ip], horizonMs, MAX_FAILURES);
      if (f === undefined) return none;
      ctx.state.set(NS, key, { f, s: logins.s });
      // A late failure can complete the run before a success that is already known.
      const withinMs = cfg.withinMinutes * MINUTE_MS;
      for (const success of logins.s) {
        if (success[0] <= t || success[0] > t + withinMs) continue;
        const finding = judge(success, f, user, ctx);
        if (finding !== undefined) return [finding];
      }
      return none;
    }
    // Successes are kept even without failures: access history arrives newest first, so the success often comes before them.
    const minute = Math.floor(t / MINUTE_MS);
    const success: Attempt = [t, String(minute), event.event.id, ip];
    if (prior === undefined) {
      ctx.state.set(NS, key, { f: [], s: [success] });
      return none;
    }
    const s = addAttempt(prior.s, success, horizonMs, MAX_SUCCESSES);
    if (s !== undefined && !prior.s.some((e) => Math.floor(e[0] / MINUTE_MS) === minute)) ctx.state.set(NS, key, { f: prior.f, s });
    if (prior.f.length === 0) return none;
    const finding = judge(success, prior.f, user, ctx);
    return finding === undefined ? none : [finding];
  },
};
