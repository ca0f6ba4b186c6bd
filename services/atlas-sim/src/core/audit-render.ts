import type { ActivityRecord } from './activity.ts';

/**
 * Renders activity records as `mongo`-schema audit lines (legacy Extended JSON, one per line),
 * in the field order mongod writes. Two spacing styles exist in the wild, `"k" : v` (mongod's
 * own) and `"k":v`; `spaced` picks one. Pre-5.0 servers write `+0000` offsets and no uuid.
 */

/** Extended-JSON date text as mongod writes it: `2025-03-04T14:07:12.345+00:00` (or `+0000` for 4.2). */
export function mongoDate(ms: number, legacy = false): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${legacy ? '+0000' : '+00:00'}`;
}

/** `JSON.stringify` with mongod's `{ "k" : v, … }` / `[ a, b ]` spacing. */
export function stringifySpaced(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[ ${value.map(stringifySpaced).join(', ')} ]`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(k)} : ${stringifySpaced(v)}`);
  }
  return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
}

/** The audit document of one record, keys in mongod's order. */
export function auditDocument(record: ActivityRecord, legacy: boolean, localEndpoint: { ip: string; port: number }): Record<string, unknown> {
  const doc: Record<string, unknown> = { atype: record.atype, ts: { $date: mongoDate(record.t, legacy) } };
  if (!legacy) doc['uuid'] = { $binary: record.uuid, $type: '04' };
  doc['local'] = localEndpoint;
  doc['remote'] = record.remote ?? { isSystemUser: true };
  doc['users'] = record.users;
  doc['roles'] = record.roles;
  doc['param'] = record.param;
  doc['result'] = record.result;
  return doc;
}

/** One audit line (no newline). */
export function renderAuditLine(record: ActivityRecord, options: { spaced: boolean; legacy: boolean; localEndpoint: { ip: string; port: number } }): string {
  const doc = auditDocument(record, options.legacy, options.localEndpoint);
  return options.spaced ? stringifySpaced(doc) : JSON.stringify(doc);
}
