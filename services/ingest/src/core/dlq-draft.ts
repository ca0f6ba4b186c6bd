import { createHash } from 'node:crypto';
import { boundedRaw } from '@atlas-audit/shared/core/dlq-raw';
import type { DlqRecord } from '@atlas-audit/shared/schema/dlq';

/** A dead-letter record without its timestamp (the shell stamps it when it sends). */
export type DlqDraft = Omit<DlqRecord, 'timestamp'>;

/**
 * A dead-letter draft with a deterministic id over origin (without the window) and raw bytes,
 * so the same bad line read again in an overlapping window has the same id. It carries at most
 * the first `MAX_DLQ_RAW_BYTES` of the bytes (the reason says how much was cut; the id covers
 * them all), so it fits a Kafka message.
 */
export function dlqDraft(raw: Uint8Array | string, reason: string, origin: DlqDraft['origin'], occurrence = 0): DlqDraft {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const { window: _window, line: _line, ...stable } = origin;
  const id = createHash('sha256').update('atlas-audit/dlq-id/v1\n').update(JSON.stringify(stable)).update(`\n${occurrence}\n`).update(bytes).digest('hex');
  const bounded = boundedRaw(bytes);
  return { schema_version: '1', id, raw: bounded.raw, reason: bounded.note === undefined ? reason : `${reason}; ${bounded.note}`, origin };
}
