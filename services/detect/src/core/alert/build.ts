import { createHash } from 'node:crypto';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { ALERT_SCHEMA_VERSION, ecsSeverityOf, riskScoreOf, type Alert } from '@atlas-audit/shared/schema/alert';
import type { Finding, Rule } from '../rule.ts';
import type { Severity } from '../config/schema.ts';
import { isoTime } from '../lib/event-facts.ts';

const attackUrl = (id: string): string => {
  if (id.startsWith('TA')) return `https://attack.mitre.org/tactics/${id}/`;
  return `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
};

/** Deterministic alert id: sha256 over (rule id, subject, window start), length-prefixed. Pure. */
export function alertIdOf(ruleId: string, subject: string, windowStartIso: string): string {
  const h = createHash('sha256');
  for (const part of [ruleId, subject, windowStartIso]) h.update(`${Buffer.byteLength(part)}:${part};`);
  return h.digest('hex');
}

function unique(values: Iterable<string | undefined>): string[] {
  const out = new Set<string>();
  for (const v of values) if (v !== undefined && v !== '') out.add(v);
  return [...out];
}

/**
 * Builds the alert for `finding` raised by `rule` on `event` in the suppression window
 * [windowStartMs, windowEndMs). `@timestamp` is the event's time. Pure and deterministic.
 */
export function buildAlert(rule: Rule, finding: Finding, severity: Severity, event: AtlasEvent, windowStartMs: number, windowEndMs: number): Alert {
  const start = isoTime(windowStartMs);
  const id = alertIdOf(rule.id, finding.subject, start);
  const user = finding.user ?? (event.user === undefined ? undefined : {
    name: event.user.name,
    ...(event.user.domain !== undefined ? { domain: event.user.domain } : {}),
    ...(event.user.roles !== undefined ? { roles: event.user.roles } : {}),
    ...(event.user.target !== undefined ? { target: event.user.target } : {}),
  });
  const ip = event.source?.ip;
  const source = ip !== undefined || finding.sourcePrefix !== undefined ? { ...(ip !== undefined ? { ip } : {}), ...(finding.sourcePrefix !== undefined ? { prefix: finding.sourcePrefix } : {}) } : undefined;
  const threat = {
    framework: 'MITRE ATT&CK' as const,
    tactic: { ...rule.threat.tactic, reference: attackUrl(rule.threat.tactic.id) },
    technique: { ...rule.threat.technique, reference: attackUrl(rule.threat.technique.id) },
    ...(rule.threat.subtechnique !== undefined ? { subtechnique: { ...rule.threat.subtechnique, reference: attackUrl(rule.threat.subtechnique.id) } } : {}),
  };
  return {
    schema_version: ALERT_SCHEMA_VERSION,
    '@timestamp': event['@timestamp'],
    event: {
      id,
      kind: 'alert',
      category: rule.category,
      type: ['indicator'],
      action: rule.id,
      dataset: 'atlas.alert',
      module: 'mongodb_atlas',
      severity: ecsSeverityOf[severity],
      risk_score: riskScoreOf[severity],
    },
    rule: { id: rule.id, name: rule.name, description: rule.description, version: rule.version },
    threat,
    severity,
    risk_score: riskScoreOf[severity],
    message: finding.explanation,
    ...(user !== undefined ? { user } : {}),
    ...(source !== undefined ? { source } : {}),
    ...(event.host !== undefined ? { host: { name: event.host.name } } : {}),
    ...(event.service !== undefined ? { service: { name: event.service.name } } : {}),
    cloud: {
      provider: 'mongodb_atlas',
      ...(event.cloud.account !== undefined ? { account: event.cloud.account } : {}),
      ...(event.cloud.project !== undefined ? { project: event.cloud.project } : {}),
    },
    related: {
      ip: unique([...event.related.ip, ip]),
      user: unique([...event.related.user, user?.name, user?.target?.name]),
    },
    kibana: {
      alert: {
        rule: { rule_id: rule.id, name: rule.name },
        severity,
        risk_score: riskScoreOf[severity],
        reason: finding.explanation,
        original_time: event['@timestamp'],
      },
    },
    atlas: {
      alert: {
        subject: finding.subject,
        window: { start, end: isoTime(windowEndMs) },
        explanation: finding.explanation,
        evidence_event_ids: unique([event.event.id, ...finding.evidenceIds]),
        evidence: finding.evidence,
      },
    },
  };
}
