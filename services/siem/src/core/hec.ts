import type { SiemAlert } from './alert-view.ts';

export type HecOptions = { host: string; source: string; sourcetype: string; index?: string };

/**
 * One Splunk HEC event envelope for an alert: `time` is the alert's event time in epoch seconds
 * (ms precision), `event` the alert itself, indexed `fields` carry the alert id, rule and severity.
 */
export function toHecEvent(alert: SiemAlert, options: HecOptions): Record<string, unknown> {
  return {
    time: Date.parse(alert['@timestamp']) / 1000,
    host: options.host,
    source: options.source,
    sourcetype: options.sourcetype,
    ...(options.index ? { index: options.index } : {}),
    event: alert,
    fields: { alert_id: alert.event.id, rule_id: alert.rule.id, severity: alert.severity },
  };
}

/** The request body for several HEC events: the JSON envelopes concatenated, newline-separated (HEC accepts both). */
export function hecBody(alerts: readonly SiemAlert[], options: HecOptions): string {
  return alerts.map((a) => JSON.stringify(toHecEvent(a, options))).join('\n');
}

/** Reads the `ackId` from a HEC event response when indexer acknowledgement is on; undefined when absent. */
export function hecAckIdOf(response: unknown): number | undefined {
  if (typeof response !== 'object' || response === null) return undefined;
  const id = (response as Record<string, unknown>)['ackId'];
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : undefined;
}

/** True when an `/services/collector/ack` response reports `ackId` as indexed. */
export function isHecAcked(response: unknown, ackId: number): boolean {
  if (typeof response !== 'object' || response === null) return false;
  const acks = (response as Record<string, unknown>)['acks'];
  if (typeof acks !== 'object' || acks === null) return false;
  return (acks as Record<string, unknown>)[String(ackId)] === true;
}
