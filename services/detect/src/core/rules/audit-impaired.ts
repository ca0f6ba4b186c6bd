import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { Finding, Rule, RuleContext } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { isoTime, MINUTE_MS } from '../lib/event-facts.ts';
import { bool, postureOf, str } from '../lib/posture.ts';

/**
 * Per scope and host, from the ingest worker's coverage events of that host's audit log only:
 * how many windows came back with data (capped), the end of the newest one, and the current
 * run of consecutive empty windows after it ([start, end], -1 when none).
 */
type HostCoverage = { n: number; d: number; s: number; e: number };
const NS = 'audit-silence';
const FETCHED_CAP = 1_000_000;
const WINDOW_IN_REASON = / window (\d{4}-\d\d-\d\dT[\d:.]+Z)\/(\d{4}-\d\d-\d\dT[\d:.]+Z)/;

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

/** The audit-log window a coverage event reports on, and its status; undefined for other events. */
export function coverageWindowOf(event: AtlasEvent): { host: string; startMs: number; endMs: number; status: string } | undefined {
  if (event.event.dataset !== 'atlas.pipeline' || !event.event.action.startsWith('window-')) return undefined;
  const host = event.host?.name;
  if (host === undefined || event.atlas.log_name === undefined) return undefined;
  const m = WINDOW_IN_REASON.exec(event.event.reason ?? '');
  if (m === null) return undefined;
  const startMs = Date.parse(m[1] as string);
  const endMs = Date.parse(m[2] as string);
  if (!Number.isFinite(startMs) || !(endMs > startMs)) return undefined;
  return { host, startMs, endMs, status: event.event.action.slice('window-'.length) };
}

/**
 * Silence of host H is judged only from H's own coverage: windows that were fetched and came back
 * empty, back to back, spanning at least the threshold, after H had windows with data. A host
 * whose windows are not fetched yet (another host's backfill is ahead) has no empty windows, so it
 * is never silent; a failed window is no evidence either way. Replays change nothing: windows at
 * or before what is known are ignored.
 */
function silenceFindings(event: AtlasEvent, ctx: RuleContext): Finding[] {
  const w = coverageWindowOf(event);
  if (w === undefined || w.status === 'failed') return [];
  const cfg = ctx.config.raw.rules['audit-impaired'];
  const key = `${ctx.scope}/${w.host}`;
  const prior = ctx.state.get<HostCoverage>(NS, key);
  const c: HostCoverage = prior === undefined ? { n: 0, d: -1, s: -1, e: -1 } : { ...prior };
  if (w.status === 'fetched' || w.status === 'truncated') {
    if (w.endMs <= c.d) return [];
    c.d = w.endMs;
    if (c.n < FETCHED_CAP) c.n += 1;
    if (c.s >= 0 && w.endMs > c.s) c.s = c.e = -1;
    ctx.state.set(NS, key, c);
    return [];
  }
  if (w.status !== 'empty' || w.endMs <= c.d || (c.s >= 0 && w.startMs >= c.s && w.endMs <= c.e)) return [];
  if (c.s >= 0 && w.startMs <= c.e && w.endMs >= c.s) {
    // Adjacent or overlapping: the run grows (either way, so a late earlier window joins it).
    c.s = Math.max(Math.min(c.s, w.startMs), c.d);
    c.e = Math.max(c.e, w.endMs);
  } else if (c.s < 0 || w.startMs > c.e) {
    // No run yet, or a gap after the run (a window in between was not covered): the run starts here.
    c.s = Math.max(w.startMs, c.d);
    c.e = w.endMs;
  } else {
    return [];
  }
  ctx.state.set(NS, key, c);
  const emptyMs = c.e - c.s;
  if (c.n < cfg.minFetchedWindows || emptyMs < cfg.silenceMinutes * MINUTE_MS) return [];
  const silentMin = Math.round(emptyMs / MINUTE_MS);
  return [{
    // One alert per silence episode, named by the end of the last window with data (stable when empty windows arrive newest first).
    subject: `${ctx.scope}/silence/${w.host}/${isoTime(c.d)}`,
    severity: 'high',
    explanation: `audit log of ${w.host} fetched and empty for ${silentMin} min (since ${isoTime(c.s)}), although it used to log`,
    evidenceIds: [event.event.id],
    evidence: { host: w.host, empty_since: isoTime(c.s), empty_until: isoTime(c.e), silent_minutes: silentMin, last_window_with_data_end: c.d < 0 ? null : isoTime(c.d), windows_with_data: c.n },
  }];
}

/** D6: auditing disabled or narrowed, alerting removed, or a host that used to log went silent (from coverage). */
export const auditImpaired: Rule = {
  id: 'audit-impaired',
  name: 'Audit logging impaired',
  description: 'Auditing disabled or its filter narrowed, an alert configuration disabled or deleted, or a host whose audit log used to have data was fetched and came back empty, window after window, for longer than the silence threshold (judged from the ingest coverage events of that host only).',
  version: '2',
  threat: { tactic: tactics.defenseEvasion, technique: techniques.impairDefenses, subtechnique: techniques.disableCloudLogs },
  category: ['configuration'],
  datasets: ['atlas.activity', 'atlas.posture', 'atlas.pipeline'],
  actorRule: false,
  evaluate(event, ctx) {
    const a = configFindings(event, ctx);
    const b = silenceFindings(event, ctx);
    if (a.length === 0 && b.length === 0) return none;
    return [...a, ...b];
  },
};
