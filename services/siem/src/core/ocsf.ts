import type { SiemAlert } from './alert-view.ts';
import { ocsfSeverityIdOf } from './severity.ts';

/** OCSF schema version the Detection Finding follows. */
export const OCSF_VERSION = '1.3.0';

export type OcsfProduct = { name: string; vendor: string; version: string };

const riskLevelIdOf = { low: 1, medium: 2, high: 3, critical: 4 } as const;

/**
 * Maps an alert to an OCSF Detection Finding (class_uid 2004, category 2 Findings, activity 1
 * Create): `finding_info.uid` and `metadata.uid` are the stable alert id, ATT&CK in
 * `finding_info.attacks`, evidence ids in `finding_info.related_events`. Pure and deterministic.
 */
export function toOcsfDetectionFinding(alert: SiemAlert, product: OcsfProduct): Record<string, unknown> {
  const timeMs = Date.parse(alert['@timestamp']);
  const startMs = Date.parse(alert.atlas.alert.window.start);
  const endMs = Date.parse(alert.atlas.alert.window.end);
  const evidence = alert.atlas.alert.evidence_event_ids;
  const finding: Record<string, unknown> = {
    class_uid: 2004,
    class_name: 'Detection Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: 1,
    activity_name: 'Create',
    type_uid: 200401,
    type_name: 'Detection Finding: Create',
    time: timeMs,
    severity_id: ocsfSeverityIdOf[alert.severity],
    severity: alert.severity.charAt(0).toUpperCase() + alert.severity.slice(1),
    status_id: 1,
    status: 'New',
    is_alert: true,
    risk_score: alert.risk_score,
    risk_level_id: riskLevelIdOf[alert.severity],
    message: alert.message,
    metadata: {
      version: OCSF_VERSION,
      uid: alert.event.id,
      product: { name: product.name, vendor_name: product.vendor, version: product.version },
      log_name: 'atlas.alerts',
    },
    finding_info: {
      uid: alert.event.id,
      title: alert.rule.name,
      desc: alert.atlas.alert.explanation,
      types: [alert.threat.tactic.name],
      analytic: { uid: alert.rule.id, name: alert.rule.name, type_id: 1, type: 'Rule', version: alert.rule.version },
      attacks: [
        {
          version: 'v15',
          tactic: { uid: alert.threat.tactic.id, name: alert.threat.tactic.name },
          technique: { uid: alert.threat.technique.id, name: alert.threat.technique.name },
        },
      ],
      first_seen_time: Number.isFinite(startMs) ? startMs : timeMs,
      last_seen_time: Number.isFinite(endMs) ? endMs : timeMs,
      related_events: evidence.map((uid) => ({ uid })),
      related_events_count: evidence.length,
    },
    cloud: {
      provider: 'MongoDB Atlas',
      ...(alert.cloud?.account?.id ? { account: { uid: alert.cloud.account.id } } : {}),
      ...(alert.cloud?.project?.id ? { project_uid: alert.cloud.project.id } : {}),
    },
    unmapped: { atlas_alert_subject: alert.atlas.alert.subject },
  };
  if (alert.user?.name !== undefined) finding['actor'] = { user: { name: alert.user.name, ...(alert.user.domain ? { domain: alert.user.domain } : {}) } };
  if (alert.source?.ip !== undefined) finding['src_endpoint'] = { ip: alert.source.ip };
  if (alert.host?.name !== undefined) finding['resources'] = [{ type: 'MongoDB Atlas process', name: alert.host.name }];
  return finding;
}
