import type { ActivityRecord } from './activity.ts';

/**
 * Renders activity records as `mongo`-schema audit lines (legacy Extended JSON, one per line),
 * in the field order mongod writes. Two spacing styles exist in the wild, `"k" : v` (mongod's
 * own) and `"k":v`; `spaced` picks one. Pre-5.0 servers write `+0000` offsets and no uuid.
 */

let lastSecond = Number.NaN;
let lastSecondText = '';

/** Extended-JSON date text as mongod writes it: `2025-03-04T14:07:12.345+00:00` (or `+0000` for 4.2). */
export function mongoDate(ms: number, legacy = false): string {
  // Lines come in time order, so memoising the last whole second saves most Date formatting.
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastSecondText = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const millis = ms - second * 1000;
  return `${lastSecondText}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}${legacy ? '+0000' : '+00:00'}`;
}

/**
 * Re-spaces compact JSON into mongod's style in one pass (same result as `stringifySpaced`
 * of the parsed value, much faster): `{ "k" : v, … }`, `[ a, b ]`, empty `{}`/`[]` unchanged.
 */
export function spaceJson(json: string): string {
  // Parts joined once give a flat string; `+=` would leave a rope of ~100 pieces per line in memory.
  const parts: string[] = [];
  let last = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    let rep: string | undefined;
    switch (c) {
      case 34:
        inString = true;
        break;
      case 123:
        if (json.charCodeAt(i + 1) !== 125) rep = '{ ';
        break;
      case 125:
        if (json.charCodeAt(i - 1) !== 123) rep = ' }';
        break;
      case 91:
        if (json.charCodeAt(i + 1) !== 93) rep = '[ ';
        break;
      case 93:
        if (json.charCodeAt(i - 1) !== 91) rep = ' ]';
        break;
      case 58:
        rep = ' : ';
        break;
      case 44:
        rep = ', ';
        break;
      default:
        break;
    }
    if (rep !== undefined) {
      parts.push(json.slice(last, i), rep);
      last = i + 1;
    }
  }
  parts.push(json.slice(last));
  return parts.join('');
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
  const compact = JSON.stringify(doc);
  return options.spaced ? spaceJson(compact) : compact;
}
