import type { SiemAlert } from './alert-view.ts';
import { renderCef, type CefDevice } from './cef.ts';
import { renderLeef } from './leef.ts';
import { syslogSeverityOf } from './severity.ts';
import { renderSyslog5424 } from './syslog.ts';

export type SyslogPayloadFormat = 'cef' | 'leef';

export type SyslogAlertOptions = {
  format: SyslogPayloadFormat;
  device: CefDevice;
  /** Our host name in the syslog header. */
  hostname: string;
  appName: string;
  facility: number;
};

/** Private enterprise number 32473 is reserved for documentation (RFC 5612); SD-IDs with it are ours. */
export const SD_ID = 'atlas@32473';

/**
 * Renders one alert as an RFC 5424 message carrying CEF or LEEF, with the alert id both in
 * MSGID-adjacent structured data (`[atlas@32473 alertId=…]`) and inside the payload. Unframed.
 */
export function renderAlertSyslog(alert: SiemAlert, options: SyslogAlertOptions): string {
  const payload = options.format === 'leef' ? renderLeef(alert, options.device) : renderCef(alert, options.device);
  return renderSyslog5424(
    {
      facility: options.facility,
      severity: syslogSeverityOf[alert.severity],
      timestamp: alert['@timestamp'],
      hostname: options.hostname,
      appName: options.appName,
      msgId: options.format === 'leef' ? 'LEEF' : 'CEF',
      structuredData: { id: SD_ID, params: [['alertId', alert.event.id], ['ruleId', alert.rule.id]] },
    },
    payload,
  );
}
