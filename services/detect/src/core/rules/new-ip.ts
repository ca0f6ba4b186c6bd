import type { Rule, RuleContext } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { actorRolesOf, DAY_MS, isoDate, isSuccessfulAuth } from '../lib/event-facts.ts';
import { prefixOf } from '../lib/ip.ts';

/**
 * Per principal: when first seen, and each prefix with its first and last successful-login time
 * (epoch ms). A short array, not an object keyed by prefix: a linear scan over a handful of
 * prefixes beats a dictionary lookup with a freshly built key, and it stays JSON-plain.
 */
type PrefixSeen = [prefix: string, first: number, last: number];
type IpHistory = { f: number; p: PrefixSeen[] };

function find(entries: readonly PrefixSeen[], prefix: string): PrefixSeen | undefined {
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as PrefixSeen;
    if (e[0] === prefix) return e;
  }
  return undefined;
}
const NS = 'new-ip';
const MAX_LISTED = 5;

/**
 * Whether `ip`'s prefix was seen for principal `key` within the lookback before `timeMs`:
 * true/false, or undefined when the principal has no login history at all. Read-only.
 */
export function prefixKnown(ctx: RuleContext, key: string, ip: string): boolean | undefined {
  const cfg = ctx.config.raw.rules['new-ip'];
  const history = ctx.state.get<IpHistory>(NS, key);
  if (history === undefined) return undefined;
  const prefix = prefixOf(ip, cfg.ipv4PrefixLength, cfg.ipv6PrefixLength);
  if (prefix === undefined) return undefined;
  const entry = find(history.p, prefix);
  return entry !== undefined && entry[1] <= ctx.timeMs && entry[2] >= ctx.timeMs - cfg.lookbackDays * DAY_MS;
}

/** D3: a successful login from a prefix (/24, /64) not seen for the principal in the lookback window. */
export const newIp: Rule = {
  id: 'new-ip',
  name: 'Authentication from a new IP prefix',
  description: 'A principal authenticated successfully from an IP prefix (/24 IPv4, /64 IPv6) it has not used in the lookback window, after its learning period.',
  version: '1',
  threat: { tactic: tactics.initialAccess, technique: techniques.validAccounts },
  category: ['authentication'],
  datasets: ['atlas.access', 'atlas.audit', 'atlas.activity'],
  actorRule: true,
  evaluate(event, ctx) {
    const actor = ctx.actor;
    const ip = event.source?.ip;
    if (actor === undefined || ip === undefined || !isSuccessfulAuth(event)) return none;
    const cfg = ctx.config.raw.rules['new-ip'];
    const prefix = prefixOf(ip, cfg.ipv4PrefixLength, cfg.ipv6PrefixLength);
    if (prefix === undefined) return none;
    const t = ctx.timeMs;
    const history = ctx.state.get<IpHistory>(NS, actor.key);
    const entry = history === undefined ? undefined : find(history.p, prefix);
    const lookbackMs = cfg.lookbackDays * DAY_MS;
    // Known = seen at or before this instant and within the lookback (the same event replayed is known).
    const known = entry !== undefined && entry[1] <= t && entry[2] >= t - lookbackMs;
    if (known) {
      // Hot path: a login from a known prefix only moves its last-seen forward.
      if (entry[2] < t) {
        entry[2] = t;
        ctx.state.set(NS, actor.key, history as IpHistory);
      }
      return none;
    }
    const h: IpHistory = history ?? { f: t, p: [] };
    const firstSeen = Math.min(h.f, t);
    const isLearning = t - firstSeen < cfg.learningDays * DAY_MS;
    const others = isLearning ? [] : h.p.filter(([p, f, l]) => p !== prefix && f <= t && l >= t - lookbackMs);
    h.f = firstSeen;
    if (entry === undefined) h.p.push([prefix, t, t]);
    else {
      entry[1] = Math.min(entry[1], t);
      entry[2] = Math.max(entry[2], t);
    }
    // Forget prefixes that left the lookback, so a principal's history stays bounded.
    h.p = h.p.filter(([, , l]) => l >= t - lookbackMs);
    ctx.state.set(NS, actor.key, h);
    if (isLearning) return none;
    others.sort((a, b) => a[1] - b[1]);
    const since = others[0] === undefined ? undefined : isoDate(others[0][1]);
    const listed = others.slice(0, MAX_LISTED).map(([p]) => p).join(', ') + (others.length > MAX_LISTED ? ` (+${others.length - MAX_LISTED} more)` : '');
    const knownText = since === undefined ? `no other prefix in the last ${cfg.lookbackDays} d` : `known since ${since}: ${listed}`;
    const privileged = actorRolesOf(event).some((r) => ctx.config.isPrivileged(r));
    return [{
      subject: `${actor.key}/${prefix}`,
      severity: privileged ? 'high' : 'medium',
      explanation: `first successful login for ${actor.name} from ${prefix}; ${knownText}`,
      evidenceIds: [event.event.id],
      sourcePrefix: prefix,
      evidence: {
        prefix,
        ip,
        principal_first_seen: isoDate(firstSeen),
        lookback_days: cfg.lookbackDays,
        known_prefixes: others.map(([p, f, l]) => ({ prefix: p, first_seen: isoDate(f), last_seen: isoDate(l) })),
        privileged,
      },
    }];
  },
};
