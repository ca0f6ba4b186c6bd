import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { fail, ok, type Result } from '@atlas-audit/shared/result';
import { dlqIndexName, eventIndexName, type IndexLayout } from '@atlas-audit/shared/es/index-names';

/** What a Kafka record holds, decided by the topic it came from. */
export type DocKind = 'event' | 'alert' | 'dlq';

/** One `create` of a bulk request: target index, deterministic `_id`, the JSON source on one line. */
export type IndexAction = { index: string; id: string; source: string; bytes: number };

const ID = /^[A-Za-z0-9_.:-]{1,512}$/;

function stringAt(doc: Record<string, unknown>, path: readonly string[]): string | undefined {
  let node: unknown = doc;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === 'string' ? node : undefined;
}

function sha256Hex(parts: ReadonlyArray<string | Buffer>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

/**
 * Turns a record's bytes into a `create` action, or says why it cannot be indexed (not UTF-8,
 * not JSON, not an object, no usable id or timestamp); invalid UTF-8 is refused, never stored
 * with replacement characters. Events go to the daily index of their own
 * `@timestamp` and alerts to the one alerts index, both with `_id` = `event.id`; dead-letter
 * records go to the daily DLQ index with their `id`, or a hash of their bytes when they have
 * none. Deterministic: the same bytes always give the same action.
 */
export function planIndexAction(kind: DocKind, value: Buffer | null, layout: IndexLayout): Result<IndexAction> {
  if (value === null || value.length === 0) return fail('empty record');
  if (!isUtf8(value)) return fail('invalid UTF-8');
  let doc: unknown;
  const text = value.toString('utf8');
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return fail(`invalid JSON: ${err instanceof Error ? err.message : 'parse error'}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return fail('record is not a JSON object');
  const record = doc as Record<string, unknown>;
  // JSON.stringify never writes a raw newline; a pretty-printed record is re-serialised so the bulk body stays NDJSON.
  const source = text.includes('\n') || text.includes('\r') ? JSON.stringify(record) : text;
  const bytes = Buffer.byteLength(source);
  if (kind === 'dlq') {
    const timestamp = stringAt(record, ['timestamp']);
    const index = timestamp === undefined ? undefined : dlqIndexName(layout, timestamp);
    if (index === undefined) return fail('dead-letter record has no valid timestamp');
    const given = stringAt(record, ['id']);
    const id = given !== undefined && ID.test(given) ? given : sha256Hex(['dlq', value]);
    return ok({ index, id, source, bytes });
  }
  const id = stringAt(record, ['event', 'id']);
  if (id === undefined || !ID.test(id)) return fail(`${kind} has no valid event.id`);
  if (kind === 'alert') return ok({ index: layout.alertsIndex, id, source, bytes });
  const timestamp = stringAt(record, ['@timestamp']);
  const index = timestamp === undefined ? undefined : eventIndexName(layout, timestamp);
  if (index === undefined) return fail('event has no valid @timestamp');
  return ok({ index, id, source, bytes });
}
