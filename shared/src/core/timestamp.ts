import type { Result } from '../result.ts';
import { fail, ok } from '../result.ts';

const isoPattern = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;
const months: Record<string, string> = { Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12' };
const javaPattern = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (?:GMT|UTC)([+-]\d{2}:?\d{2})? (\d{4})$/;
const minMs = Date.UTC(1970, 0, 1);
const maxMs = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The decimal value of `count` ASCII digits of `text` from `from`, or -1 if any is not a digit. */
export function digitsAt(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * The hot path: `YYYY-MM-DDTHH:MM:SS.mmm` followed by `Z`, `+00:00` or `+0000`, checked digit by
 * digit and returned as `…mmmZ`; undefined for anything else (then the general parser decides).
 */
function fastUtcMs(text: string): string | undefined {
  const length = text.length;
  if (length !== 24 && length !== 28 && length !== 29) return undefined;
  const zone = text.slice(23);
  if (zone !== 'Z' && zone !== '+00:00' && zone !== '+0000') return undefined;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58 || text.charCodeAt(19) !== 46) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  const ms = digitsAt(text, 20, 3);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return undefined;
  return `${text.slice(0, 23)}Z`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Epoch milliseconds to ISO 8601 UTC with ms, or a reason when out of range (1970–9999). */
export function isoFromEpochMs(ms: number): Result<string> {
  if (!Number.isFinite(ms) || ms < minMs || ms > maxMs) return fail(`timestamp out of range: ${String(ms)}`);
  return ok(new Date(Math.floor(ms)).toISOString());
}

/**
 * Parses an ISO 8601 timestamp as MongoDB and Atlas write it (`Z`, `+00:00`, `+0000`, any
 * fraction) to ISO UTC with exactly ms. The common UTC case is rebuilt without a Date.
 */
export function parseIsoTimestamp(text: string): Result<string> {
  const fast = fastUtcMs(text);
  if (fast !== undefined) return ok(fast);
  const match = isoPattern.exec(text);
  if (match === null) return fail(`unrecognised timestamp: ${text.slice(0, 64)}`);
  const [, year, month, day, hour, minute, second, fraction = '', zone = 'Z'] = match;
  const ms = (fraction + '000').slice(0, 3);
  if (zone === 'Z' || zone === '+00:00' || zone === '+0000' || zone === '-00:00' || zone === '-0000') {
    // The common UTC case, checked field by field and rebuilt without a Date.
    const y = Number(year);
    const mo = Number(month);
    if (y >= 1970 && mo >= 1 && mo <= 12 && Number(day) >= 1 && Number(day) <= daysInMonth(y, mo) && Number(hour) < 24 && Number(minute) < 60 && Number(second) < 60) {
      return ok(`${year}-${month}-${day}T${hour}:${minute}:${second}.${ms}Z`);
    }
    return fail(`invalid timestamp: ${text.slice(0, 64)}`);
  }
  const offset = zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const parsed = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}.${ms}${offset}`);
  if (Number.isNaN(parsed)) return fail(`invalid timestamp: ${text.slice(0, 64)}`);
  return isoFromEpochMs(parsed);
}

/** Parses Java `Date.toString()` as Atlas access history writes it: `Tue Mar 04 14:07:40 GMT 2025`. */
export function parseJavaDate(text: string): Result<string> {
  const match = javaPattern.exec(text);
  if (match === null) return fail(`unrecognised timestamp: ${text.slice(0, 64)}`);
  const [, monthName = 'Jan', day = '1', hour, minute, second, offset, year] = match;
  const zone = offset === undefined ? 'Z' : offset;
  return parseIsoTimestamp(`${year}-${months[monthName] ?? '01'}-${day.padStart(2, '0')}T${hour}:${minute}:${second}.000${zone}`);
}

/** Parses either an ISO timestamp or a Java date string. */
export function parseAnyTimestamp(text: string): Result<string> {
  const iso = parseIsoTimestamp(text);
  return iso.ok ? iso : parseJavaDate(text);
}

/**
 * Parses an Extended JSON `$date` value: an ISO string, epoch ms as a number, or
 * `{"$numberLong": "<ms>"}`. Returns ISO UTC with ms, or a reason.
 */
export function parseExtendedDate(value: unknown): Result<string> {
  if (typeof value === 'string') return parseIsoTimestamp(value);
  if (typeof value === 'number') return isoFromEpochMs(value);
  if (typeof value === 'object' && value !== null && '$numberLong' in value) {
    const long = (value as { $numberLong: unknown }).$numberLong;
    if (typeof long === 'string' && /^-?\d{1,16}$/.test(long)) return isoFromEpochMs(Number(long));
  }
  return fail('invalid $date');
}

/** The raw text of a `$date` value, for `atlas.raw_timestamp`. */
export function rawDateText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object' && value !== null && '$numberLong' in value) {
    const long = (value as { $numberLong: unknown }).$numberLong;
    return typeof long === 'string' ? long : undefined;
  }
  return undefined;
}
