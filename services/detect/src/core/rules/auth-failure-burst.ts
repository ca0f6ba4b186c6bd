import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { Finding, Rule, RuleContext } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { isFailedAuth, MINUTE_MS, paramString } from '../lib/event-facts.ts';
import { addAttempt, densestAround, newestDistinct, type Attempt, type Attempts } from '../lib/event-window.ts';
import { prefixOf } from '../lib/ip.ts';

const NS_USER = 'fail-user';
const NS_PREFIX = 'fail-prefix';
const MAX_ENTRIES = 1000;

/** Records the attempt in the subject's window (state written only when it changed); returns the window. */
function record(ctx: RuleContext, ns: string, key: string, attempt: Attempt, horizonMs: number): Attempts {
  const prior = ctx.state.get<Attempts>(ns, key);
  const next = addAttempt(prior, attempt, horizonMs, MAX_ENTRIES);
  if (next !== undefined) ctx.state.set(ns, key, next);
  return next ?? prior ?? [];
}

function idsOf(window: Attempts): string[] {
  return newestDistinct(window, (e) => e[2], 50);
}

function attemptedUser(event: AtlasEvent): string | undefined {
  return event.user?.name ?? paramString(event, 'user');
}

/** D4: many failed logins for one user, or for many users from one prefix, in a sliding window (order-tolerant). */
export const authFailureBurst: Rule = {
  id: 'auth-failure-burst',
  name: 'Failed authentication burst or password spray',
  description: 'At least N failed authentications for one user, or failures for at least M distinct users from one IP prefix (service accounts included), within a sliding window, whatever order the events arrive in. A success after the failures is brute-force-success.',
  version: '1',
  threat: { tactic: tactics.credentialAccess, technique: techniques.bruteForce },
  category: ['authentication'],
  datasets: ['atlas.access', 'atlas.audit', 'atlas.activity'],
  actorRule: true,
  evaluate(event, ctx) {
    if (!isFailedAuth(event)) return none;
    const user = attemptedUser(event);
    if (user === undefined) return none;
    const cfg = ctx.config.raw.rules['auth-failure-burst'];
    const t = ctx.timeMs;
    const windowMs = cfg.windowMinutes * MINUTE_MS;
    const horizonMs = Math.max(windowMs, cfg.orderToleranceMinutes * MINUTE_MS);
    const ip = event.source?.ip ?? '-';
    const findings: Finding[] = [];
    // The attempt key (second + ip) makes replays and the same attempt seen in the audit log and access history count once.
    const perUser = record(ctx, NS_USER, `${ctx.scope}/${user}`, [t, `${Math.floor(t / 1000)}|${ip}`, event.event.id, ip], horizonMs);
    // A burst already alerted on (suppression window open) is not measured again: under a flood that is every failure.
    const userSubject = `${ctx.scope}/user/${user}`;
    const userBurst = ctx.suppressed('auth-failure-burst', userSubject) ? undefined : densestAround(perUser, t, windowMs, (e) => e[1]);
    if (userBurst !== undefined && userBurst.count >= cfg.perUserThreshold) {
      findings.push({
        subject: userSubject,
        severity: 'medium',
        explanation: `${userBurst.count} failed logins for ${user} within ${cfg.windowMinutes} min (threshold ${cfg.perUserThreshold})`,
        evidenceIds: idsOf(userBurst.attempts),
        allowlistPrincipal: user,
        evidence: { failures: userBurst.count, window_minutes: cfg.windowMinutes, threshold: cfg.perUserThreshold, sources: [...new Set(userBurst.attempts.map((e) => e[3]))].slice(0, 20) },
      });
    }
    const prefix = ip === '-' ? undefined : prefixOf(ip);
    if (prefix !== undefined) {
      const perPrefix = record(ctx, NS_PREFIX, `${ctx.scope}/${prefix}`, [t, user, event.event.id, ip], horizonMs);
      const spraySubject = `${ctx.scope}/prefix/${prefix}`;
      const spray = ctx.suppressed('auth-failure-burst', spraySubject) ? undefined : densestAround(perPrefix, t, windowMs, (e) => e[1]);
      if (spray !== undefined && spray.count >= cfg.distinctUsersPerPrefix) {
        const names = [...new Set(spray.attempts.map((e) => e[1]))];
        findings.push({
          subject: spraySubject,
          severity: 'medium',
          explanation: `failed logins for ${spray.count} distinct users from ${prefix} within ${cfg.windowMinutes} min (password spray; threshold ${cfg.distinctUsersPerPrefix})`,
          evidenceIds: idsOf(spray.attempts),
          // The spray's subject is the prefix: allowlisting one sprayed principal (a service account) must not hide it.
          allowlistPrincipal: prefix,
          sourcePrefix: prefix,
          evidence: { distinct_users: spray.count, users: names.slice(0, 20), window_minutes: cfg.windowMinutes, threshold: cfg.distinctUsersPerPrefix },
        });
      }
    }
    return findings;
  },
};
