import { createHash } from 'node:crypto';
import type { DlqRecord } from '@atlas-audit/shared/schema/dlq';

/** A dead-letter record without its timestamp (the shell stamps it when it sends). */
export type DlqDraft = Omit<DlqRecord, 'timestamp'>;

/**
 * A dead-letter draft with a deterministic id over origin (without the window) and raw bytes,
 * so the same bad line read again in an overlapping window has the same id.
 */
export function dlqDraft(raw: Uint8Array | string, reason: string, origin: DlqDraft['origin'], occurrence = 0): DlqDraft {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const { window: _window, line: _line, ...stable } = origin;
  const id = createHash('sha256').update('atlas-audit/dlq-id/v1\n').update(JSON.stringify(stable)).update(`\n${occurrence}\n`).update(bytes).digest('hex');
  return { schema_version: '1', id, raw: bytes.toString('base64'), reason, origin };
}
