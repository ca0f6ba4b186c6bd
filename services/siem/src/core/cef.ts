import type { SiemAlert } from './alert-view.ts';
import { cefSeverityOf } from './severity.ts';

/** Who the CEF header says produced the event. */
export type CefDevice = { vendor: string; product: string; version: string };

/** Escapes a CEF header field: `\` → `\\`, `|` → `\|`; CR/LF (not allowed in a header) become spaces. */
export function escapeCefHeader(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r\n|[\r\n]/g, ' ');
}

/** Escapes a CEF extension value: `\` → `\\`, `=` → `\=`, LF → `\n`, CR → `\r` (pipes stay as they are). */
export function escapeCefExtension(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\r\n/g, '\\n').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** CEF extension pairs of an alert, in a stable order; absent values are left out. */
export function cefExtensionOf(alert: SiemAlert): Array<[string, string]> {
  const pairs: Array<[string, string | undefined]> = [
    ['rt', String(Date.parse(alert['@timestamp']))],
    ['externalId', alert.event.id],
    ['msg', alert.message],
    ['cat', alert.threat.tactic.name],
    ['act', alert.rule.name],
    ['suser', alert.user?.name],
    ['duser', alert.user?.target?.name],
    ...ipPairs(alert.source?.ip),
    ['dhost', alert.host?.name],
    ['start', String(Date.parse(alert.atlas.alert.window.start))],
    ['end', String(Date.parse(alert.atlas.alert.window.end))],
    ['cnt', String(alert.atlas.alert.evidence_event_ids.length)],
    ['cs1Label', 'ruleId'],
    ['cs1', alert.rule.id],
    ['cs2Label', 'attackTechnique'],
    ['cs2', `${alert.threat.technique.id} ${alert.threat.technique.name}`],
    ['cs3Label', 'atlasProject'],
    ['cs3', alert.cloud?.project?.id],
    ['cs4Label', 'alertSubject'],
    ['cs4', alert.atlas.alert.subject],
    ['cs5Label', 'attackTactic'],
    ['cs5', alert.threat.tactic.id],
    ['cs6Label', 'ruleVersion'],
    ['cs6', alert.rule.version],
    ['cn1Label', 'riskScore'],
    ['cn1', String(alert.risk_score)],
  ];
  const out: Array<[string, string]> = [];
  for (const [key, value] of pairs) if (value !== undefined && value !== '' && value !== 'NaN') out.push([key, value]);
  return out;
}

function ipPairs(ip: string | undefined): Array<[string, string | undefined]> {
  if (ip === undefined) return [];
  // CEF `src` is IPv4 only; IPv6 goes in the custom IPv6 field c6a2 (source IPv6 address).
  return ip.includes(':') ? [['c6a2Label', 'sourceIPv6'], ['c6a2', ip]] : [['src', ip]];
}

/**
 * Renders an alert as one CEF:0 line (no trailing newline): header fields escaped per the CEF
 * spec, Signature ID = rule id, Name = rule name, severity 0–10, and an extension carrying the
 * stable alert id in `externalId`. Deterministic for a given alert.
 */
export function renderCef(alert: SiemAlert, device: CefDevice): string {
  const header = ['CEF:0', device.vendor, device.product, device.version, alert.rule.id, alert.rule.name, String(cefSeverityOf[alert.severity])];
  const head = header.map((field, i) => (i === 0 ? field : escapeCefHeader(field))).join('|');
  const extension = cefExtensionOf(alert)
    .map(([key, value]) => `${key}=${escapeCefExtension(value)}`)
    .join(' ');
  return `${head}|${extension}`;
}
