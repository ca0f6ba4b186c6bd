import { createDigestCounter } from '@atlas-audit/shared/core/event-id';
import { createAuditNormaliser, NO_DATA_MARKER } from '@atlas-audit/shared/core/normalise/audit';
import { isoFromEpochMs } from '@atlas-audit/shared/core/timestamp';
import type { NormaliseContext } from '@atlas-audit/shared/core/normalise/context';
import type { AuditStream } from './streams.ts';
import type { TimeWindow } from './window.ts';
import type { NumberedLine } from './gzip-body.ts';
import { dlqDraft } from './dlq-draft.ts';
import { admitDlq, admitEvent, emptyBatch, type WindowBatch } from './dedupe.ts';

/**
 * Longest audit line turned into an event (256 KiB). An event repeats some of its line's values
 * (user names, roles: 1.3× measured for a line of long names), and a record over Kafka's 1 MB
 * message limit fails the whole transaction, again on every retry: longer lines are
 * dead-lettered instead.
 */
export const MAX_AUDIT_LINE_BYTES = 256 * 1024;

/**
 * Turns the decoded lines of one audit-log window into a batch: each line is normalised with
 * its occurrence index in the window, lines already produced (dedupe set) or older than the
 * horizon are left out, bad lines (and lines over `MAX_AUDIT_LINE_BYTES`) become dead letters
 * with their line number, and Atlas' "No data" marker is skipped. Pure; same input, same batch.
 */
export function auditWindowBatch(stream: AuditStream, window: TimeWindow, lines: readonly NumberedLine[], seen: Set<string>, horizonMs: number, context: Partial<NormaliseContext> = {}): WindowBatch {
  const batch = emptyBatch();
  const normalise = createAuditNormaliser({ ...context, project: stream.project, host: stream.host, logName: stream.logName, cluster: stream.cluster });
  const occurrences = createDigestCounter();
  const windowIso = isoWindow(window);
  for (const { line, bytes } of lines) {
    batch.stats.received += 1;
    // Counted by digest, as the id is: no copy of the line is kept, and the line is hashed once.
    const digest = normalise.digest(bytes);
    const occurrence = occurrences.next(digest);
    if (bytes.length < 80 && bytes.toString('utf8').trim() === NO_DATA_MARKER) {
      batch.stats.skipped += 1;
      continue;
    }
    const result = bytes.length > MAX_AUDIT_LINE_BYTES ? { ok: false as const, reason: `line of ${bytes.length} bytes is longer than ${MAX_AUDIT_LINE_BYTES}` } : normalise(bytes, occurrence, digest);
    if (result.ok) admitEvent(batch, result.value, seen, horizonMs);
    else {
      const origin = { project: stream.project, host: stream.host, source: 'atlas.audit' as const, logName: stream.logName, line, ...(windowIso === undefined ? {} : { window: windowIso }) };
      admitDlq(batch, dlqDraft(bytes, result.reason, origin, occurrence), seen, window.endMs);
    }
  }
  return batch;
}

/** A window as ISO timestamps, for DLQ origins. */
export function isoWindow(window: TimeWindow): { start: string; end: string } | undefined {
  const start = isoFromEpochMs(window.startMs);
  const end = isoFromEpochMs(window.endMs);
  return start.ok && end.ok ? { start: start.value, end: end.value } : undefined;
}
