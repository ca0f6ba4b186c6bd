import { isUtf8 } from 'node:buffer';
import { jsonErrorReason } from '@atlas-audit/shared/core/json-error';
import { createHash } from 'node:crypto';
import { boundedRaw } from '@atlas-audit/shared/core/dlq-raw';
import { fail, ok, type Result } from '@atlas-audit/shared/result';
import { SCHEMA_VERSION, type AtlasEvent } from '@atlas-audit/shared/schema/event';
import { parseAtlasEvent } from '@atlas-audit/shared/schema/event-validator';
import type { DlqRecord } from '@atlas-audit/shared/schema/dlq';

/**
 * Decodes one `atlas.events.v1` record: UTF-8 JSON validated against the event schema. Bad
 * input (empty, not UTF-8, not JSON, not a valid event) is a failed Result with a short reason;
 * never throws. Invalid UTF-8 is refused rather than replaced, so no event is evaluated with
 * values that differ from its bytes.
 */
export function decodeEvent(value: Uint8Array | null): Result<AtlasEvent> {
  if (value === null || value.length === 0) return fail('empty record');
  if (!isUtf8(value)) return fail('invalid UTF-8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8'));
  } catch (err) {
    return fail(`invalid JSON: ${jsonErrorReason(err)}`);
  }
  // The compiled schema: atlasEventSchema.safeParse's verdict and output (shared/src/schema/compile-validator.ts).
  const checked = parseAtlasEvent(parsed);
  return checked.ok ? ok(checked.value) : fail(`not a valid event: ${checked.reason}`);
}

/**
 * The dead-letter record for an undecodable event record; its id is deterministic over (topic,
 * partition, offset, all the bytes). A record larger than `MAX_DLQ_RAW_BYTES` keeps only its
 * first bytes (the reason says so), so the dead letter always fits a Kafka message.
 */
export function deadLetterOf(value: Uint8Array | null, reason: string, where: { topic: string; partition: number; offset: string }, timestamp: string): DlqRecord {
  const bytes = value ?? new Uint8Array(0);
  const full = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const id = createHash('sha256').update(`detect\n${where.topic}\n${where.partition}\n${where.offset}\n${full}`).digest('hex');
  const { raw, note } = boundedRaw(bytes);
  const why = `detect: ${reason} (${where.topic}/${where.partition}@${where.offset})${note === undefined ? '' : `; ${note}`}`;
  return { schema_version: SCHEMA_VERSION, id, raw, reason: why, origin: { source: 'atlas.pipeline', endpoint: where.topic }, timestamp };
}
