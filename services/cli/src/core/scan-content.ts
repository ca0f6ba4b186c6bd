import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { SanitisePolicy } from '@atlas-audit/shared/core/sanitise';
import { createOccurrenceCounter } from '@atlas-audit/shared/core/event-id';
import { createAuditNormaliser } from '@atlas-audit/shared/core/normalise/audit';
import { accessEntryRawKey, normaliseAccessEntry } from '@atlas-audit/shared/core/normalise/access';
import { normaliseActivityEvent } from '@atlas-audit/shared/core/normalise/activity';
import { normalisePostureSnapshot } from '@atlas-audit/shared/core/normalise/posture';
import { diffSnapshots } from '@atlas-audit/shared/core/normalise/posture-diff';
import type { PostureSnapshot } from '@atlas-audit/shared/core/normalise/posture-resources';
import { parseIsoTimestamp } from '@atlas-audit/shared/core/timestamp';
import { checkEvent, validateEvent } from '@atlas-audit/shared/core/validate';
import type { Result } from '@atlas-audit/shared/result';
import { hintsFromFileName } from './file-name.ts';
import type { ContentKind } from './sniff.ts';
import { sniffContent } from './sniff.ts';
import { forEachLine } from './split-lines.ts';

/** Where the records of one scan go. */
export type ScanSink = {
  event(event: AtlasEvent): void;
  invalid(location: string, reason: string): void;
  /** Called now and then with the bytes of this input handled so far. */
  progress?(doneBytes: number): void;
};

/** Coordinates given on the command line; file names fill in host and log name. */
export type ScanContext = { project?: string; org?: string; host?: string; cluster?: string; sanitise?: SanitisePolicy };

/** What one scan carries from file to file: the posture snapshots seen, diffed when the scan ends (diffScannedPosture). */
export type ScanState = { posture?: { file: string; snapshot: PostureSnapshot; takenAtMs: number }[] };

const PROGRESS_EVERY_LINES = 16384;

/**
 * Validates a normaliser's result against the schema and hands it to the sink. Audit lines (the
 * bulk of any scan) come from a normaliser that builds schema-ordered events, so they are checked
 * in place (`inPlace`); the other sources are parsed to the schema's copy.
 */
function emit(result: Result<AtlasEvent>, location: string, sink: ScanSink, inPlace = false): void {
  if (!result.ok) {
    sink.invalid(location, result.reason);
    return;
  }
  const valid = inPlace ? checkEvent(result.value) : validateEvent(result.value);
  if (valid.ok) sink.event(valid.value);
  else sink.invalid(location, valid.reason);
}

/**
 * The audit-line half of a scan, usable line by line on a stream: one normaliser (one window)
 * per file, host and log name from the file name unless given. Each line ends as one event or
 * one invalid record at `file:line`.
 */
export function createAuditScanner(file: string, context: ScanContext, sink: ScanSink): { line(bytes: Buffer, lineNumber: number): void; records(): number } {
  const hints = hintsFromFileName(file);
  const normalise = createAuditNormaliser({
    project: context.project,
    org: context.org,
    host: context.host ?? hints.host,
    cluster: context.cluster,
    logName: hints.logName ?? 'mongodb-audit-log',
    sanitise: context.sanitise,
  });
  let records = 0;
  return {
    line(bytes, lineNumber) {
      records += 1;
      emit(normalise(bytes), `${file}:${lineNumber}`, sink, true);
    },
    records: () => records,
  };
}

/**
 * Normalises one decompressed input: audit NDJSON line by line, a dbAccessHistory body entry by
 * entry, an events body event by event. Every record ends as one validated event or one invalid
 * record with its location (`file:line` or `file:accessLogs[i]`). The file is one window for
 * occurrence counting. A posture snapshot gives state events, and change events against the
 * previous snapshot of the same scan (kept in `state`). Returns the content kind, the record count and, for unusable content, why.
 */
export function scanContent(file: string, bytes: Buffer, context: ScanContext, sink: ScanSink, state: ScanState = {}): { kind: ContentKind; records: number; detail?: string } {
  const sniffed = sniffContent(bytes);
  let records = 0;
  if (sniffed.kind === 'audit') {
    const scanner = createAuditScanner(file, context, sink);
    forEachLine(bytes, (line, lineNumber) => {
      scanner.line(line, lineNumber);
      if (sink.progress !== undefined && scanner.records() % PROGRESS_EVERY_LINES === 0) sink.progress(line.byteOffset - bytes.byteOffset);
    });
    records = scanner.records();
  } else if (sniffed.kind === 'access') {
    const entries = (sniffed.body as { accessLogs: unknown[] }).accessLogs;
    const counter = createOccurrenceCounter();
    const normaliseContext = { project: context.project, org: context.org, host: context.host, cluster: context.cluster };
    for (const [index, entry] of entries.entries()) {
      records += 1;
      emit(normaliseAccessEntry(entry, counter.next(accessEntryRawKey(entry)), normaliseContext), `${file}:accessLogs[${index}]`, sink);
    }
  } else if (sniffed.kind === 'events') {
    const results = (sniffed.body as { results: unknown[] }).results;
    const normaliseContext = { project: context.project, org: context.org, cluster: context.cluster };
    for (const [index, doc] of results.entries()) {
      records += 1;
      emit(normaliseActivityEvent(doc, normaliseContext), `${file}:results[${index}]`, sink);
    }
  } else if (sniffed.kind === 'posture') {
    const snapshot = sniffed.body as PostureSnapshot;
    const postureContext = { project: context.project, org: context.org };
    const results = normalisePostureSnapshot(snapshot, postureContext);
    // A snapshot without a usable takenAt has already failed above; it cannot be placed in time.
    const takenAt = parseIsoTimestamp(snapshot.takenAt);
    if (takenAt.ok) (state.posture ??= []).push({ file, snapshot, takenAtMs: Date.parse(takenAt.value) });
    for (const [index, result] of results.entries()) {
      records += 1;
      emit(result, `${file}:posture[${index}]`, sink);
    }
  }
  sink.progress?.(bytes.length);
  return { kind: sniffed.kind, records, ...(sniffed.detail === undefined ? {} : { detail: sniffed.detail }) };
}

/**
 * The change events between the posture snapshots of a scan, each snapshot against the one taken
 * just before it: ordered by takenAt, not by the order of the files, so passing or naming them
 * newest first gives the same diffs (and never an "added" where a resource was removed).
 * Snapshots with the same takenAt keep their scan order. Call once, after the last file;
 * returns the number of records.
 */
export function diffScannedPosture(state: ScanState, context: ScanContext, sink: ScanSink): number {
  const seen = [...(state.posture ?? [])].sort((a, b) => a.takenAtMs - b.takenAtMs);
  const postureContext = { project: context.project, org: context.org };
  let records = 0;
  for (let i = 1; i < seen.length; i++) {
    const previous = seen[i - 1];
    const next = seen[i];
    if (previous === undefined || next === undefined) continue;
    for (const [index, result] of diffSnapshots(previous.snapshot, next.snapshot, postureContext).entries()) {
      records += 1;
      emit(result, `${next.file}:diff[${index}]`, sink);
    }
  }
  return records;
}
