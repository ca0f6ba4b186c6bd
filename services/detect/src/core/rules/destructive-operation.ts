import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { Finding, Rule } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { DAY_MS, isoDate, MINUTE_MS, paramString } from '../lib/event-facts.ts';
import { prefixOf } from '../lib/ip.ts';

const DESTRUCTIVE_ATYPES = new Set(['dropDatabase', 'dropCollection', 'dropAllUsersFromDatabase', 'dropAllRolesFromDatabase']);
const DESTRUCTIVE_EVENT = /^(CLUSTER_DELETE_SUBMITTED|CLUSTER_DELETED|.*SNAPSHOT.*DELETED.*|.*BACKUP.*(DISABLED|DELETED).*|.*BACKUP_POLICY.*(UPDATED|DELETED).*)$/;

/** Per principal: prefix → last destructive op (ms); recent ops as [ms, event id]. */
type History = { p: Record<string, number>; w: Array<[number, string]> };
const NS = 'destructive';

function isDestructive(event: AtlasEvent): boolean {
  if (event.event.outcome === 'failure') return false;
  if (event.event.dataset === 'atlas.audit') return DESTRUCTIVE_ATYPES.has(event.event.action);
  return DESTRUCTIVE_EVENT.test(event.event.action);
}

/** D10: a destructive operation by a principal from a prefix it never used for one in the lookback, or a burst of them. */
export const destructiveOperation: Rule = {
  id: 'destructive-operation',
  name: 'Destructive data operation',
  description: 'dropDatabase / dropCollection / dropAll*, cluster deletion or backup weakening by a principal from an IP prefix not seen doing so in the lookback window, or at least N such operations within a short window.',
  version: '1',
  threat: { tactic: tactics.impact, technique: techniques.dataDestruction },
  category: ['database'],
  datasets: ['atlas.audit', 'atlas.activity'],
  actorRule: true,
  evaluate(event, ctx) {
    const actor = ctx.actor;
    if (actor === undefined || !isDestructive(event)) return none;
    const cfg = ctx.config.raw.rules['destructive-operation'];
    const t = ctx.timeMs;
    const ip = event.source?.ip;
    const prefix = (ip === undefined ? undefined : prefixOf(ip)) ?? 'unknown';
    const h = ctx.state.get<History>(NS, actor.key) ?? { p: {}, w: [] };
    const lastFromPrefix = h.p[prefix];
    const lookbackMs = cfg.lookbackDays * DAY_MS;
    const isNewTerm = lastFromPrefix === undefined || (lastFromPrefix < t && t - lastFromPrefix > lookbackMs);
    const windowMs = cfg.burstWindowMinutes * MINUTE_MS;
    let newest = t;
    for (const [at] of h.w) if (at > newest) newest = at;
    // Prune relative to the newest entry: a replayed old event never drops newer ones.
    const w = h.w.filter(([at]) => at > newest - windowMs);
    const isReplay = h.w.some(([, id]) => id === event.event.id);
    if (!isReplay && t > newest - windowMs) w.push([t, event.event.id]);
    h.w = w;
    h.p[prefix] = Math.max(lastFromPrefix ?? t, t);
    ctx.state.set(NS, actor.key, h);
    if (isReplay) return none;
    const target = paramString(event, 'ns') ?? paramString(event, 'db') ?? event.atlas.activity?.cluster_name ?? event.service?.name ?? '';
    const findings: Finding[] = [];
    if (isNewTerm) {
      findings.push({
        subject: `${actor.key}/new/${prefix}`,
        severity: 'high',
        explanation: `${event.event.action} ${target} by ${actor.name} from ${prefix}: first destructive operation from this prefix in ${cfg.lookbackDays} d${lastFromPrefix === undefined ? '' : ` (last ${isoDate(lastFromPrefix)})`}`,
        evidenceIds: [event.event.id],
        sourcePrefix: prefix,
        evidence: { action: event.event.action, target, prefix, lookback_days: cfg.lookbackDays },
      });
    }
    const inWindow = w.filter(([at]) => at > t - windowMs && at <= t);
    if (inWindow.length >= cfg.burstCount) {
      findings.push({
        subject: `${actor.key}/burst`,
        severity: 'high',
        explanation: `${inWindow.length} destructive operations by ${actor.name} within ${cfg.burstWindowMinutes} min (latest ${event.event.action} ${target})`,
        evidenceIds: inWindow.map(([, id]) => id),
        evidence: { count: inWindow.length, window_minutes: cfg.burstWindowMinutes, threshold: cfg.burstCount },
      });
    }
    return findings;
  },
};
