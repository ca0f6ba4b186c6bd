import type { SiemAlert } from './alert-view.ts';
import type { CefDevice } from './cef.ts';
import { cefSeverityOf } from './severity.ts';

/** The LEEF 2.0 attribute delimiter this service writes (tab, declared in the header as x09). */
export const LEEF_DELIMITER = '\t';

/** Escapes a LEEF header field like CEF (`\` and `|`), removing line breaks. */
export function escapeLeefHeader(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n\t]+/g, ' ');
}

/** Makes a LEEF attribute value safe: the delimiter (tab) and line breaks become spaces. */
export function escapeLeefValue(value: string): string {
  return value.replace(/[\r\n\t]+/g, ' ');
}

/**
 * Renders an alert as one LEEF 2.0 line (tab-delimited attributes; no trailing newline). The event
 * id is the rule id; `alertId` carries the stable alert id; `devTime` is ISO with its format.
 */
export function renderLeef(alert: SiemAlert, device: CefDevice): string {
  const header = ['LEEF:2.0', ...[device.vendor, device.product, device.version, alert.rule.id].map(escapeLeefHeader), 'x09'].join('|');
  const attrs: Array<[string, string | undefined]> = [
    ['devTime', alert['@timestamp']],
    ['devTimeFormat', "yyyy-MM-dd'T'HH:mm:ss.SSSX"],
    ['alertId', alert.event.id],
    ['sev', String(cefSeverityOf[alert.severity])],
    ['cat', alert.threat.tactic.name],
    ['usrName', alert.user?.name],
    ['src', alert.source?.ip],
    ['identHostName', alert.host?.name],
    ['ruleName', alert.rule.name],
    ['technique', alert.threat.technique.id],
    ['project', alert.cloud?.project?.id],
    ['subject', alert.atlas.alert.subject],
    ['msg', alert.message],
  ];
  const body = attrs
    .filter((pair): pair is [string, string] => pair[1] !== undefined && pair[1] !== '')
    .map(([k, v]) => `${k}=${escapeLeefValue(v)}`)
    .join(LEEF_DELIMITER);
  return `${header}|${body}`;
}
