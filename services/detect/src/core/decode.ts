import { createHash } from 'node:crypto';
import { fail, ok, type Result } from '@atlas-audit/shared/result';
import { SCHEMA_VERSION, type AtlasEvent } from '@atlas-audit/shared/schema/event';
import { parseAtlasEvent } from '@atlas-audit/shared/schema/event-validator';
import type { DlqRecord } from '@atlas-audit/shared/schema/dlq';

/**
 * Decodes one `atlas.events.v1` record: UTF-8 JSON validated against the event schema. Bad
 * input (empty, not JSON, not a valid event) is a failed Result with a short reason; never throws.
 */
export function decodeEvent(value: Uint8Array | null): Result<AtlasEvent> {
  if (value === null || value.length === 0) return fail('empty record');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8'));
  } catch (err) {
    return fail(`invalid JSON: ${err instanceof Error ? err.message : 'parse error'}`);
  }
  // The compiled schema: atlasEventSchema.safeParse's verdict and output (shared/src/schema/compile-validator.ts).
  const checked = parseAtlasEvent(parsed);
  return checked.ok ? ok(checked.value) : fail(`not a valid event: ${checked.reason}`);
}

/** The dead-letter record for an undecodable event record; its id is deterministic over (topic, partition, offset). */
export function deadLetterOf(value: Uint8Array | null, reason: string, where: { topic: string; partition: number; offset: string }, timestamp: string): DlqRecord {
  const raw = value === null ? '' : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  const id = createHash('sha256').update(`detect\n${where.topic}\n${where.partition}\n${where.offset}\n${raw}`).digest('hex');
  return { schema_version: SCHEMA_VERSION, id, raw, reason: `detect: ${reason} (${where.topic}/${where.partition}@${where.offset})`, origin: { source: 'atlas.pipeline', endpoint: where.topic }, timestamp };
}
