const postureSections = ['databaseUsers', 'customDBRoles', 'accessList', 'auditLog', 'maintenanceWindow', 'encryptionAtRest'];

/** What a decompressed input holds. */
export type ContentKind = 'empty' | 'audit' | 'access' | 'events' | 'posture' | 'unrecognised';

/** A sniffed input: its kind and, for JSON bodies, the parsed body. */
export type Sniffed = { kind: ContentKind; body?: unknown; detail?: string };

function firstNonSpace(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xef && c !== 0xbb && c !== 0xbf) return c ?? -1;
  }
  return -1;
}

/**
 * Recognises content: a dbAccessHistory body (`{"accessLogs":[…]}`), an events body
 * (`{"results":[…]}` of objects with eventTypeName, or a bare array of them), or audit NDJSON
 * (everything else that is not empty, including a single audit line), or a posture snapshot
 * (`{"takenAt": ISO, "databaseUsers": …, "accessList": …}`, as ingest stores them). An empty or whitespace-only
 * input is 'empty'. A JSON document that is none of these is 'unrecognised'. Never throws.
 */
export function sniffContent(bytes: Buffer): Sniffed {
  const first = firstNonSpace(bytes);
  if (first === -1) return { kind: 'empty' };
  if (first !== 0x7b && first !== 0x5b) return { kind: 'audit' };
  const newline = bytes.indexOf(10);
  if (newline !== -1) {
    try {
      const line: unknown = JSON.parse(bytes.subarray(0, newline).toString('utf8'));
      if (typeof line === 'object' && line !== null && 'atype' in line) return { kind: 'audit' };
    } catch {
      // Not a complete first line: fall through to parsing the whole document.
    }
  }
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    // Several JSON lines (or a damaged document): audit NDJSON, judged line by line.
    return { kind: 'audit' };
  }
  if (Array.isArray(body)) {
    if (body.length > 0 && body.every((item) => typeof item === 'object' && item !== null && 'eventTypeName' in item)) return { kind: 'events', body: { results: body } };
    return { kind: 'unrecognised', detail: 'a JSON array that is not a list of events' };
  }
  if (typeof body !== 'object' || body === null) return { kind: 'unrecognised', detail: 'a JSON value that is not an object' };
  if ('atype' in body) return { kind: 'audit' };
  if (Array.isArray((body as { accessLogs?: unknown }).accessLogs)) return { kind: 'access', body };
  if (Array.isArray((body as { results?: unknown }).results)) return { kind: 'events', body };
  if (typeof (body as { takenAt?: unknown }).takenAt === 'string' && postureSections.some((key) => key in body)) return { kind: 'posture', body };
  if ('errorCode' in body) return { kind: 'unrecognised', detail: `an Atlas API error body (${String((body as { errorCode: unknown }).errorCode)})` };
  return { kind: 'unrecognised', detail: 'a JSON object without atype, accessLogs or results' };
}

/** Content larger than this without a newline is treated as one JSON document. */
export const SNIFF_MAX_FIRST_LINE_BYTES = 1024 * 1024;

/**
 * Decides from the start of a decompressed input whether it can be streamed as audit NDJSON
 * ('audit') or must be read whole as one JSON document ('document', then see sniffContent), or
 * needs more bytes (undefined). `complete` says the prefix is the whole input.
 */
export function sniffStart(prefix: Buffer, complete: boolean): 'audit' | 'document' | undefined {
  const first = firstNonSpace(prefix);
  if (first === -1) return complete ? 'document' : undefined;
  if (first !== 0x7b && first !== 0x5b) return 'audit';
  const newline = prefix.indexOf(10);
  if (newline === -1) return complete || prefix.length >= SNIFF_MAX_FIRST_LINE_BYTES ? 'document' : undefined;
  try {
    const line: unknown = JSON.parse(prefix.subarray(0, newline).toString('utf8'));
    if (typeof line === 'object' && line !== null && 'atype' in line) return 'audit';
  } catch {
    // Not a whole JSON line: judge the whole document.
  }
  return 'document';
}
