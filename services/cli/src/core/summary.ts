import { BLANK_LINE_REASON, NO_DATA_REASON } from '@atlas-audit/shared/core/normalise/audit';
import { formatDuration, type TimeSpan } from './time-span.ts';

/** Counts of one scan, for the summary on stderr. */
export type ScanSummary = {
  /** Per file: its kind, record count, notes, and what its events span in event time (gaps show). */
  files: ({ file: string; kind: string; records: number; note?: string } & Partial<TimeSpan>)[];
  /** `dataset outcome` → count. */
  outcomes: Map<string, number>;
  /** Reason class → count. */
  reasons: Map<string, number>;
  /** Lines that hold no record by design (Atlas' no-data marker, blank lines): reason → count. */
  skipped: Map<string, number>;
  /** The first invalid records with their location. */
  examples: { location: string; reason: string }[];
  events: number;
  invalid: number;
  alerts: number;
};

/**
 * Reasons for lines that are not records at all. They are not counted as invalid, but they are
 * shown: Atlas writes the no-data marker for an empty window and also when it could not reach
 * the host, which is a gap in the audit trail an analyst must see.
 */
const notRecords: ReadonlyMap<string, string> = new Map([
  [NO_DATA_REASON, "Atlas' no-data marker: no data for the window, or the host was unreachable"],
  [BLANK_LINE_REASON, 'blank line'],
]);

const MAX_EXAMPLES = 20;

/** A new, empty summary. */
export function createSummary(): ScanSummary {
  return { files: [], outcomes: new Map(), reasons: new Map(), skipped: new Map(), examples: [], events: 0, invalid: 0, alerts: 0 };
}

/** Counts one event. */
export function countEvent(summary: ScanSummary, dataset: string, outcome: string): void {
  summary.events += 1;
  const key = `${dataset} ${outcome}`;
  summary.outcomes.set(key, (summary.outcomes.get(key) ?? 0) + 1);
}

/**
 * The class of a reason, without the values that make each one unique: the text before the
 * first ':' ("invalid JSON", "missing atype"), or, when that is a field name ("ts", "created",
 * "schema"), the field and the text after it up to the next ':' ("ts: unrecognised timestamp").
 */
export function reasonClass(reason: string): string {
  const colon = reason.indexOf(':');
  if (colon === -1) return reason;
  const head = reason.slice(0, colon);
  if (head.includes(' ')) return head;
  const next = reason.indexOf(':', colon + 1);
  return next === -1 ? reason : reason.slice(0, next);
}

/** Counts one invalid record and keeps it as an example while there is room. */
export function countInvalid(summary: ScanSummary, location: string, reason: string): void {
  const notRecord = notRecords.get(reason);
  if (notRecord !== undefined) {
    summary.skipped.set(notRecord, (summary.skipped.get(notRecord) ?? 0) + 1);
    return;
  }
  summary.invalid += 1;
  const key = reasonClass(reason);
  summary.reasons.set(key, (summary.reasons.get(key) ?? 0) + 1);
  if (summary.examples.length < MAX_EXAMPLES) summary.examples.push({ location, reason });
}

function sorted(map: Map<string, number>): [string, number][] {
  return [...map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Renders the summary as plain text lines (deterministic for the same scan). */
export function renderSummary(summary: ScanSummary): string {
  const lines: string[] = [];
  for (const file of summary.files) {
    const note = file.note === undefined ? '' : ` (${file.note})`;
    const silence = file.silence === undefined ? '' : `, longest silence ${formatDuration(file.silence.ms)} after ${file.silence.after}`;
    const span = file.first === undefined || file.last === undefined ? '' : `; event time ${file.first} to ${file.last}${silence}`;
    lines.push(`file ${file.file}: ${file.kind}, ${file.records} ${file.records === 1 ? 'record' : 'records'}${note}${span}`);
  }
  const skipped = [...summary.skipped.values()].reduce((sum, count) => sum + count, 0);
  lines.push(`events: ${summary.events}, invalid: ${summary.invalid}, skipped: ${skipped}, alerts: ${summary.alerts}`);
  for (const [key, count] of sorted(summary.outcomes)) lines.push(`  ${key}: ${count}`);
  if (skipped > 0) {
    lines.push('skipped lines (not records):');
    for (const [key, count] of sorted(summary.skipped)) lines.push(`  ${key}: ${count}`);
  }
  if (summary.invalid > 0) {
    lines.push('invalid records by reason:');
    for (const [key, count] of sorted(summary.reasons)) lines.push(`  ${key}: ${count}`);
    lines.push(`first ${summary.examples.length} invalid records:`);
    for (const example of summary.examples) lines.push(`  ${example.location}: ${example.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
