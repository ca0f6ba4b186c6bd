import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { Finding, Rule, RuleContext } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { isoTime, MINUTE_MS } from '../lib/event-facts.ts';
import { bool, postureOf, str } from '../lib/posture.ts';

/** Per scope: each host with [name, first event ms, last event ms, distinct active minutes (capped)], and the last silence check. */
type HostSeen = [host: string, first: number, last: number, activeMinutes: number];
type Coverage = { h: HostSeen[]; c: number };
const NS = 'audit-coverage';
const ACTIVE_CAP = 100_000;

const CONTROL_EVENTS: Record<string, { severity: 'medium' | 'high'; what: string }> = {
  AUDIT_LOG_CONFIGURATION_UPDATED: { severity: 'medium', what: 'audit log configuration changed' },
  ALERT_CONFIG_DISABLED_AUDIT: { severity: 'high', what: 'an alert configuration was disabled' },
  ALERT_CONFIG_DELETED_AUDIT: { severity: 'high', what: 'an alert configuration was deleted' },
};

function configFindings(event: AtlasEvent, ctx: RuleContext): Finding[] {
  const by = ctx.actor === undefined ? '' : ` by ${ctx.actor.name}`;
  const control = CONTROL_EVENTS[event.event.action];
  if (event.event.dataset === 'atlas.activity' && control !== undefined) {
    return [{ subject: `${ctx.scope}/${event.event.action}`, severity: control.severity, explanation: `${control.what} in ${ctx.scope}${by}`, evidenceIds: [event.event.id], evidence: { event_type: event.event.action } }];
  }
  const p = event.event.dataset === 'atlas.posture' ? postureOf(event) : undefined;
  if (p === undefined || p.kind !== 'audit_log' || p.change === 'state') return [];
  const before = p.before;
  const after = p.state;
  const reasons: string[] = [];
  if (bool(before, 'enabled') === true && bool(after, 'enabled') !== true) reasons.push('auditing disabled');
  const filterBefore = str(before, 'auditFilter') ?? '';
  const filterAfter = str(after, 'auditFilter') ?? '';
  if (after !== undefined && bool(after, 'enabled') === true && filterBefore !== filterAfter) {
    reasons.push(filterBefore === '' || filterBefore === '{}' ? 'audit filter narrowed from everything' : 'audit filter changed');
  }
  if (bool(before, 'auditAuthorizationSuccess') === true && bool(after, 'auditAuthorizationSuccess') === false) reasons.push('successful authorization checks no longer audited');
  if (reasons.length === 0) return [];
  return [{
    subject: `${ctx.scope}/audit-config`,
    severity: reasons.includes('auditing disabled') ? 'high' : 'medium',
    explanation: `${reasons.join('; ')} in ${ctx.scope}`,
    evidenceIds: [event.event.id],
    evidence: { reasons, before: before ?? null, after: after ?? null },
  }];
}

/** Tracks which hosts log, and when a later event of the same scope shows one went silent. */
function silenceFindings(event: AtlasEvent, ctx: RuleContext): Finding[] {
  const cfg = ctx.config.raw.rules['audit-impaired'];
  const t = ctx.timeMs;
  const host = event.host?.name;
  const isLog = host !== undefined && (event.event.dataset === 'atlas.audit' || event.event.dataset === 'atlas.access');
  let cov = ctx.state.get<Coverage>(NS, ctx.scope);
  if (isLog) {
    cov ??= { h: [], c: t };
    let h: HostSeen | undefined;
    for (let i = 0; i < cov.h.length; i++) if ((cov.h[i] as HostSeen)[0] === host) h = cov.h[i];
    if (h === undefined) {
      cov.h.push([host, t, t, 1]);
      ctx.state.set(NS, ctx.scope, cov);
    } else if (t > h[2]) {
      // Count distinct active minutes only when time moves forward: replays never inflate it.
      if (Math.floor(t / MINUTE_MS) > Math.floor(h[2] / MINUTE_MS) && h[3] < ACTIVE_CAP) h[3] += 1;
      h[2] = t;
      ctx.state.set(NS, ctx.scope, cov);
    } else if (t < h[1]) {
      h[1] = t;
      ctx.state.set(NS, ctx.scope, cov);
    }
  }
  if (cov === undefined || t - cov.c < cfg.checkEveryMinutes * MINUTE_MS) return [];
  cov.c = t;
  ctx.state.set(NS, ctx.scope, cov);
  const findings: Finding[] = [];
  for (const [name, , last, active] of cov.h) {
    const silentMs = t - last;
    if (active < cfg.minActiveMinutes || silentMs < cfg.silenceMinutes * MINUTE_MS) continue;
    findings.push({
      // One alert per silence episode: the episode is named by the last event before it.
      subject: `${ctx.scope}/silence/${name}/${isoTime(last)}`,
      severity: 'high',
      explanation: `no audit or access events from ${name} for ${Math.round(silentMs / MINUTE_MS)} min (last ${isoTime(last)}), although it used to log`,
      evidenceIds: [event.event.id],
      evidence: { host: name, last_event: isoTime(last), silent_minutes: Math.round(silentMs / MINUTE_MS), active_minutes: active },
    });
  }
  return findings;
}

/** D6: auditing disabled or narrowed, alerting removed, or a host that used to log went silent. */
export const auditImpaired: Rule = {
  id: 'audit-impaired',
  name: 'Audit logging impaired',
  description: 'Auditing disabled or its filter narrowed, an alert configuration disabled or deleted, or no audit/access events from a host that used to log for longer than the silence threshold (judged when a later event of the same project arrives).',
  version: '1',
  threat: { tactic: tactics.defenseEvasion, technique: techniques.impairDefenses, subtechnique: techniques.disableCloudLogs },
  category: ['configuration'],
  datasets: ['atlas.audit', 'atlas.access', 'atlas.activity', 'atlas.posture', 'atlas.pipeline'],
  actorRule: false,
  evaluate(event, ctx) {
    const a = configFindings(event, ctx);
    const b = silenceFindings(event, ctx);
    if (a.length === 0 && b.length === 0) return none;
    return [...a, ...b];
  },
};
