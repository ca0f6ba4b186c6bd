import { createHash } from 'node:crypto';
import { boundedRaw } from '@atlas-audit/shared/core/dlq-raw';
import { SCHEMA_VERSION } from '@atlas-audit/shared/schema/event';
import type { DlqRecord } from '@atlas-audit/shared/schema/dlq';

/**
 * The dead-letter record for a Kafka record the indexer could not index: the raw bytes
 * (base64), the reason, and its origin (`atlas.pipeline`, endpoint = the topic it came
 * from). The id hashes topic and all the bytes, so re-rejecting a replayed record yields the
 * same id. A record larger than `MAX_DLQ_RAW_BYTES` keeps only its first bytes (the reason says
 * so), so the dead letter always fits a Kafka message.
 */
export function deadLetterFor(topic: string, value: Buffer | null, reason: string, nowIso: string): DlqRecord {
  const raw = value ?? Buffer.alloc(0);
  const id = createHash('sha256').update('indexer\0').update(topic).update('\0').update(raw).digest('hex');
  const bounded = boundedRaw(raw);
  return {
    schema_version: SCHEMA_VERSION,
    id,
    raw: bounded.raw,
    reason: `indexer: ${reason.slice(0, 3800)}${bounded.note === undefined ? '' : `; ${bounded.note}`}`,
    origin: { source: 'atlas.pipeline', endpoint: topic },
    timestamp: nowIso,
  };
}
