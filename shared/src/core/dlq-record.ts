import { hash } from 'node:crypto';
import type { DlqRecord } from '../schema/dlq.ts';
import { SCHEMA_VERSION } from '../schema/event.ts';

/**
 * Builds the dead-letter record for input that could not become an event: raw bytes as
 * base64, the reason, the origin, and a deterministic id (sha256 over origin and bytes, so a
 * replayed record is stored once). `timestamp` is passed in (ISO with ms). Pure.
 */
export function toDlqRecord(raw: string | Uint8Array, reason: string, origin: DlqRecord['origin'], timestamp: string): DlqRecord {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const originKey = JSON.stringify([origin.project ?? null, origin.org ?? null, origin.host ?? null, origin.source, origin.logName ?? null, origin.endpoint ?? null, origin.window?.start ?? null, origin.line ?? null]);
  return {
    schema_version: SCHEMA_VERSION,
    id: hash('sha256', Buffer.concat([Buffer.from(`${originKey}\n`), bytes]), 'hex'),
    raw: bytes.toString('base64'),
    reason: reason.length > 0 ? reason : 'unknown',
    origin,
    timestamp,
  };
}
