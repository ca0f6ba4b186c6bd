/**
 * RFC 5424 syslog messages and RFC 6587 octet-counting framing. Pure: the caller passes the
 * timestamp (the alert's event time) and host identity.
 */
export type SyslogHeader = {
  /** 0–23; 10 = security/authorization (authpriv) is the usual choice for alerts. */
  facility: number;
  /** 0–7 (RFC 5424 §6.2.1). */
  severity: number;
  /** ISO 8601 timestamp (RFC 3339 profile). */
  timestamp: string;
  hostname: string;
  appName: string;
  procId?: string;
  msgId?: string;
  /** SD-ID (e.g. `atlas@32473`) → params; rendered as one SD-ELEMENT. */
  structuredData?: { id: string; params: ReadonlyArray<[string, string]> };
};

const NIL = '-';

/** Keeps printable US-ASCII (33–126) only and caps the length, as RFC 5424 header fields require; empty → `-`. */
export function headerField(value: string | undefined, maxLength: number): string {
  if (value === undefined) return NIL;
  const cleaned = value.replace(/[^\x21-\x7e]/g, '').slice(0, maxLength);
  return cleaned === '' ? NIL : cleaned;
}

/** Escapes an SD-PARAM value (RFC 5424 §6.3.3): `"`, `\` and `]` get a backslash. */
export function escapeSdValue(value: string): string {
  return value.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

function sdName(value: string): string {
  // SD-NAME: printable ASCII except '=', ' ', ']', '"'; at most 32 characters.
  return value.replace(/[^\x21-\x7e]|[= \]"]/g, '').slice(0, 32) || 'x';
}

/** Renders `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG` (RFC 5424), without framing or BOM. */
export function renderSyslog5424(header: SyslogHeader, message: string): string {
  const facility = Math.min(23, Math.max(0, Math.trunc(header.facility)));
  const severity = Math.min(7, Math.max(0, Math.trunc(header.severity)));
  const pri = facility * 8 + severity;
  let sd = NIL;
  if (header.structuredData !== undefined) {
    const params = header.structuredData.params.map(([k, v]) => ` ${sdName(k)}="${escapeSdValue(v)}"`).join('');
    sd = `[${sdName(header.structuredData.id)}${params}]`;
  }
  const fields = [
    `<${pri}>1`,
    headerField(header.timestamp, 64),
    headerField(header.hostname, 255),
    headerField(header.appName, 48),
    headerField(header.procId, 128),
    headerField(header.msgId, 32),
    sd,
  ];
  // A line break inside MSG would split the record for line-based receivers; octet counting makes it safe, but be conservative.
  return `${fields.join(' ')} ${message.replace(/\r?\n/g, ' ')}`;
}

/** Frames one syslog message for TCP/TLS with octet counting (RFC 6587 §3.4.1): `<byte length> <message>`. */
export function frameOctetCounting(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

/**
 * Splits a byte stream of octet-counted frames into messages; returns the complete messages and
 * the unconsumed remainder. A malformed length prefix yields a reason instead.
 */
export function parseOctetCountedFrames(buffer: Buffer): { ok: true; messages: string[]; rest: Buffer } | { ok: false; reason: string } {
  const messages: string[] = [];
  let offset = 0;
  for (;;) {
    const space = buffer.indexOf(0x20, offset);
    if (space === -1) {
      if (buffer.length - offset > 10) return { ok: false, reason: 'frame length prefix too long' };
      break;
    }
    const lengthText = buffer.subarray(offset, space).toString('ascii');
    if (!/^[1-9]\d{0,8}$/.test(lengthText)) return { ok: false, reason: `bad frame length '${lengthText.slice(0, 12)}'` };
    const length = Number(lengthText);
    if (space + 1 + length > buffer.length) break;
    messages.push(buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
    offset = space + 1 + length;
  }
  return { ok: true, messages, rest: buffer.subarray(offset) };
}
