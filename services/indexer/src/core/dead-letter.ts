import { createHash } from 'node:crypto';
import { SCHEMA_VERSION } from '@atlas-audit/shared/schema/event';
import type { DlqRecord } from '@atlas-audit/shared/schema/dlq';

/**
 * The dead-letter record for a Kafka record the indexer could not index: the raw bytes
 * (base64), the reason, and its origin (`atlas.pipeline`, endpoint = the topic it came
 * from). The id hashes topic and bytes, so re-rejecting a replayed record yields the same id.
 */
export function deadLetterFor(topic: string, value: Buffer | null, reason: string, nowIso: string): DlqRecord {
  const raw = value ?? Buffer.alloc(0);
  const id = createHash('sha256').update('indexer\0').update(topic).update('\0').update(raw).digest('hex');
  return {
    schema_version: SCHEMA_VERSION,
    id,
    raw: raw.toString('base64'),
    reason: `indexer: ${reason}`.slice(0, 4000),
    origin: { source: 'atlas.pipeline', endpoint: topic },
    timestamp: nowIso,
  };
}
