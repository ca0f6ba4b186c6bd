import { isUtf8 } from 'node:buffer';
import { jsonErrorReason } from '@atlas-audit/shared/core/json-error';
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

/**
 * How this project's normalisers and detections serialise an event or alert: keys in schema
 * order, so the record opens with schema_version, @timestamp and event.id. When the values hold
 * no escapes, what they say raw is what JSON.parse would read, and the record need not be parsed.
 */
const CANONICAL_HEAD = /^\{"schema_version":"[0-9]{1,4}","@timestamp":"([^"\\]{1,64})","event":\{"id":"([^"\\]{1,512})"/;

function sha256Hex(parts: ReadonlyArray<string | Buffer>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

/**
 * Turns a record's bytes into a `create` action, or says why it cannot be indexed (not UTF-8,
 * not JSON, not an object, no usable id or timestamp); invalid UTF-8 is refused, never stored
 * with replacement characters. A record that opens the way this project serialises events and
 * alerts (CANONICAL_HEAD) is not parsed here: a malformed rest is refused by Elasticsearch's
 * parser, item by item (400 document_parsing_exception), and dead-lettered with that reason.
 * Events go to the daily index of their own
 * `@timestamp` and alerts to the one alerts index, both with `_id` = `event.id`; dead-letter
 * records go to the daily DLQ index with their `id`, or a hash of their bytes when they have
 * none. Deterministic: the same bytes always give the same action.
 */
export function planIndexAction(kind: DocKind, value: Buffer | null, layout: IndexLayout): Result<IndexAction> {
  if (value === null || value.length === 0) return fail('empty record');
  if (!isUtf8(value)) return fail('invalid UTF-8');
  const text = value.toString('utf8');
  const oneLine = !text.includes('\n') && !text.includes('\r');
  if (kind !== 'dlq' && oneLine) {
    const head = CANONICAL_HEAD.exec(text);
    // A head that does not plan (bad id or timestamp) is parsed below, which names the problem.
    const planned = head === null ? undefined : eventOrAlertAction(kind, head[2], head[1], text, value.length, layout);
    if (planned?.ok === true) return planned;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return fail(`invalid JSON: ${jsonErrorReason(err)}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return fail('record is not a JSON object');
  const record = doc as Record<string, unknown>;
  // JSON.stringify never writes a raw newline; a pretty-printed record is re-serialised so the bulk body stays NDJSON.
  const source = oneLine ? text : JSON.stringify(record);
  const bytes = Buffer.byteLength(source);
  if (kind === 'dlq') {
    const timestamp = stringAt(record, ['timestamp']);
    const index = timestamp === undefined ? undefined : dlqIndexName(layout, timestamp);
    if (index === undefined) return fail('dead-letter record has no valid timestamp');
    const given = stringAt(record, ['id']);
    const id = given !== undefined && ID.test(given) ? given : sha256Hex(['dlq', value]);
    return ok({ index, id, source, bytes });
  }
  return eventOrAlertAction(kind, stringAt(record, ['event', 'id']), stringAt(record, ['@timestamp']), source, bytes, layout);
}

/** An event goes to the daily index of its `@timestamp`, an alert to the alerts index; both with `_id` = `event.id`. */
function eventOrAlertAction(kind: 'event' | 'alert', id: string | undefined, timestamp: string | undefined, source: string, bytes: number, layout: IndexLayout): Result<IndexAction> {
  if (id === undefined || !ID.test(id)) return fail(`${kind} has no valid event.id`);
  if (kind === 'alert') return ok({ index: layout.alertsIndex, id, source, bytes });
  const index = timestamp === undefined ? undefined : eventIndexName(layout, timestamp);
  if (index === undefined) return fail('event has no valid @timestamp');
  return ok({ index, id, source, bytes });
}
