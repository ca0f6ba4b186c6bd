import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { Finding, Rule, RuleContext } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { isFailedAuth, isoTime, isSuccessfulAuth, MINUTE_MS, paramString } from '../lib/event-facts.ts';
import { prefixOf } from '../lib/ip.ts';

/** Sliding window of failures: [time ms, attempt key]. The key (second + ip, or user) makes replays and the same attempt seen in two sources count once. */
type Window = Array<[number, string, string]>;
const NS_USER = 'fail-user';
const NS_PREFIX = 'fail-prefix';
const NS_BURST = 'fail-burst';
const MAX_ENTRIES = 1000;

function record(ctx: RuleContext, ns: string, key: string, t: number, item: string, id: string, windowMs: number): Window {
  const prior = ctx.state.get<Window>(ns, key) ?? [];
  // Prune relative to the newest entry, never to this event: a replayed old event must not drop newer entries.
  let newest = t;
  for (const e of prior) if (e[0] > newest) newest = e[0];
  const kept = prior.filter(([at]) => at > newest - windowMs);
  if (t > newest - windowMs && !kept.some(([at, k]) => at === t && k === item)) kept.push([t, item, id]);
  const next = kept.length > MAX_ENTRIES ? kept.slice(-MAX_ENTRIES) : kept;
  ctx.state.set(ns, key, next);
  return next;
}

function distinctIn(window: Window, t: number, windowMs: number, keyOf: (entry: [number, string, string]) => string): number {
  const seen = new Set<string>();
  for (const e of window) if (e[0] > t - windowMs && e[0] <= t) seen.add(keyOf(e));
  return seen.size;
}

function idsOf(window: Window): string[] {
  return [...new Set(window.map((e) => e[2]))].slice(-50);
}

/** The principal key when the attempted user is the event's actor (no string building on the hot path). */
function burstKey(ctx: RuleContext, user: string): string {
  return ctx.actor !== undefined && ctx.actor.name === user ? ctx.actor.key : `${ctx.scope}/${user}@`;
}

function attemptedUser(event: AtlasEvent): string | undefined {
  return event.user?.name ?? paramString(event, 'user');
}

/** D4: many failed logins for one user, or for many users from one prefix, in a sliding window; escalated when a success follows. */
export const authFailureBurst: Rule = {
  id: 'auth-failure-burst',
  name: 'Failed authentication burst or password spray',
  description: 'At least N failed authentications for one user, or failures for at least M distinct users from one IP prefix, within a sliding window; High when a successful login for that user follows.',
  version: '1',
  threat: { tactic: tactics.credentialAccess, technique: techniques.bruteForce },
  category: ['authentication'],
  datasets: ['atlas.access', 'atlas.audit', 'atlas.activity'],
  actorRule: true,
  evaluate(event, ctx) {
    const cfg = ctx.config.raw.rules['auth-failure-burst'];
    const t = ctx.timeMs;
    const user = attemptedUser(event);
    if (user === undefined) return none;
    if (isSuccessfulAuth(event)) {
      const burstAt = ctx.state.get<number>(NS_BURST, burstKey(ctx, user));
      if (burstAt === undefined || burstAt > t || t - burstAt > cfg.successWithinMinutes * MINUTE_MS) return none;
      return [{
        subject: `${ctx.scope}/success-after-burst/${user}`,
        severity: 'high',
        explanation: `successful login for ${user} ${Math.round((t - burstAt) / MINUTE_MS)} min after a failed-login burst at ${isoTime(burstAt)}`,
        evidenceIds: [event.event.id],
        evidence: { burst_at: isoTime(burstAt), within_minutes: cfg.successWithinMinutes },
      }];
    }
    if (!isFailedAuth(event)) return none;
    const windowMs = cfg.windowMinutes * MINUTE_MS;
    const ip = event.source?.ip ?? '-';
    const findings: Finding[] = [];
    const perUser = record(ctx, NS_USER, `${ctx.scope}/${user}`, t, `${Math.floor(t / 1000)}|${ip}`, event.event.id, windowMs);
    const userCount = distinctIn(perUser, t, windowMs, (e) => e[1]);
    const markBurst = (): void => {
      const key = burstKey(ctx, user);
      const prev = ctx.state.get<number>(NS_BURST, key);
      if (prev === undefined || prev < t) ctx.state.set(NS_BURST, key, t);
    };
    if (userCount >= cfg.perUserThreshold) {
      markBurst();
      findings.push({
        subject: `${ctx.scope}/user/${user}`,
        severity: 'medium',
        explanation: `${userCount} failed logins for ${user} within ${cfg.windowMinutes} min (threshold ${cfg.perUserThreshold})`,
        evidenceIds: idsOf(perUser),
        allowlistPrincipal: user,
        evidence: { failures: userCount, window_minutes: cfg.windowMinutes, threshold: cfg.perUserThreshold, sources: [...new Set(perUser.map(([, k]) => k.split('|')[1] ?? '-'))].slice(0, 20) },
      });
    }
    const prefix = ip === '-' ? undefined : prefixOf(ip);
    if (prefix !== undefined) {
      const perPrefix = record(ctx, NS_PREFIX, `${ctx.scope}/${prefix}`, t, user, event.event.id, windowMs);
      const users = distinctIn(perPrefix, t, windowMs, (e) => e[1]);
      if (users >= cfg.distinctUsersPerPrefix) {
        markBurst();
        const names = [...new Set(perPrefix.map(([, u]) => u))];
        findings.push({
          subject: `${ctx.scope}/prefix/${prefix}`,
          severity: 'medium',
          explanation: `failed logins for ${users} distinct users from ${prefix} within ${cfg.windowMinutes} min (password spray; threshold ${cfg.distinctUsersPerPrefix})`,
          evidenceIds: idsOf(perPrefix),
          sourcePrefix: prefix,
          evidence: { distinct_users: users, users: names.slice(0, 20), window_minutes: cfg.windowMinutes, threshold: cfg.distinctUsersPerPrefix },
        });
      }
    }
    return findings;
  },
};
