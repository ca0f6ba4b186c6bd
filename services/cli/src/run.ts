import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { serialiseEvent } from '@atlas-audit/shared/core/validate';
import type { ScanOptions } from './core/args.ts';
import { isGzip } from './core/gzip-magic.ts';
import { createLineSplitter } from './core/line-splitter.ts';
import { PROGRESS_MIN_BYTES, renderProgress } from './core/progress.ts';
import type { ScanContext, ScanSink, ScanState } from './core/scan-content.ts';
import { createAuditScanner, diffScannedPosture, scanContent } from './core/scan-content.ts';
import { sniffStart } from './core/sniff.ts';
import type { ScanSummary } from './core/summary.ts';
import { countEvent, countInvalid, createSummary, renderSummary } from './core/summary.ts';
import { createTimeSpan } from './core/time-span.ts';
import type { Detector, DetectorOptions } from './detector.ts';

/** What `scan` needs from the outside world. */
export type ScanPorts = {
  /** Opens a file: its size and its bytes as chunks. Throws when it cannot be opened. */
  openFile(path: string): { sizeBytes: number; chunks: AsyncIterable<Buffer> };
  /** Writes to stdout; a returned promise resolves when the consumer has caught up (backpressure). */
  writeOut(text: string): void | Promise<void>;
  writeErr(text: string): void;
  /** True when stderr is a terminal (progress bar allowed). */
  isTTY: boolean;
  createDetector(options: DetectorOptions): Detector;
};

const FLUSH_LINES = 2048;
/** A JSON body (access history, events, posture) larger than this is refused. */
const MAX_DOCUMENT_BYTES = 1024 * 1024 * 1024;
const PROGRESS_EVERY_BYTES = 4 * 1024 * 1024;

type FileOutcome = { kind: string; records: number; notes: string[]; failed: boolean };

/** Decompressed chunks of a file: gunzipped when it starts with the gzip magic. Damage after some output becomes a note. */
async function* inflate(chunks: AsyncIterable<Buffer>, notes: string[]): AsyncGenerator<Buffer> {
  const iterator = chunks[Symbol.asyncIterator]();
  // Enough bytes to see the gzip magic, however the source happens to chunk.
  const start: Buffer[] = [];
  let startBytes = 0;
  let next = await iterator.next();
  while (next.done !== true) {
    start.push(next.value);
    startBytes += next.value.length;
    if (startBytes >= 2) break;
    next = await iterator.next();
  }
  if (startBytes === 0) return;
  const head = start.length === 1 ? (start[0] as Buffer) : Buffer.concat(start);
  const all = (async function* () {
    yield head;
    if (next.done === true) return;
    for (let more = await iterator.next(); more.done !== true; more = await iterator.next()) yield more.value;
  })();
  if (!isGzip(head)) {
    yield* all;
    return;
  }
  const source = Readable.from(all);
  const gunzip = createGunzip();
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  let produced = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      produced += chunk.length;
      yield chunk;
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (produced === 0) throw new Error(`gzip: ${message}`, { cause: err });
    notes.push(`gzip stream damaged (${message}); ${produced} bytes recovered`);
  }
}

/** Scans one file, streaming audit NDJSON and reading JSON bodies whole. */
async function scanFile(
  file: string,
  ports: ScanPorts,
  context: ScanContext,
  sink: ScanSink,
  state: ScanState,
  showProgressFor: (sizeBytes: number) => boolean,
  summary: ScanSummary,
  drained: () => Promise<void>,
): Promise<FileOutcome> {
  const notes: string[] = [];
  const opened = ports.openFile(file);
  const progress = showProgressFor(opened.sizeBytes);
  let readBytes = 0;
  let reported = 0;
  const counted = (async function* () {
    for await (const chunk of opened.chunks) {
      readBytes += chunk.length;
      if (progress && readBytes - reported >= PROGRESS_EVERY_BYTES) {
        reported = readBytes;
        ports.writeErr(renderProgress(readBytes, opened.sizeBytes, summary.events));
      }
      yield chunk;
    }
  })();
  let mode: 'audit' | 'document' | undefined;
  const head: Buffer[] = [];
  let headBytes = 0;
  const scanner = createAuditScanner(file, context, sink);
  const splitter = createLineSplitter((line, lineNumber) => scanner.line(line, lineNumber));
  try {
    for await (const chunk of inflate(counted, notes)) {
      if (mode === 'audit') {
        splitter.push(chunk);
        await drained();
        continue;
      }
      head.push(chunk);
      headBytes += chunk.length;
      if (headBytes > MAX_DOCUMENT_BYTES) return { kind: 'unreadable', records: 0, notes: [...notes, `JSON body larger than ${MAX_DOCUMENT_BYTES} bytes`], failed: true };
      if (mode === undefined) {
        mode = sniffStart(head.length === 1 ? chunk : Buffer.concat(head), false);
        if (mode === 'audit') for (const part of head.splice(0)) splitter.push(part);
      }
    }
  } catch (err) {
    return { kind: 'unreadable', records: scanner.records(), notes: [...notes, err instanceof Error ? err.message : String(err)], failed: true };
  } finally {
    if (progress) ports.writeErr(`${renderProgress(opened.sizeBytes, opened.sizeBytes, summary.events)}\n`);
  }
  if (mode === 'audit') {
    splitter.end();
    return { kind: 'audit', records: scanner.records(), notes, failed: false };
  }
  const result = scanContent(file, Buffer.concat(head), context, sink, state);
  return { kind: result.kind, records: result.records, notes: result.detail === undefined ? notes : [...notes, result.detail], failed: result.kind === 'unrecognised' };
}

/**
 * Runs `atlas-audit scan`: each file is streamed, decompressed, sniffed and normalised; events go
 * through the detector; alerts (or with `--events` the events) are written as NDJSON in input
 * order; a summary goes to stderr. Invalid records and unreadable files never stop the scan.
 * Resolves to the exit code: 0, or 1 when a file could not be read or recognised.
 */
export async function runScan(options: ScanOptions, ports: ScanPorts): Promise<number> {
  const summary = createSummary();
  const detector = ports.createDetector({ timeZone: options.timeZone, ...(options.rulesFile === undefined ? {} : { rulesFile: options.rulesFile }) });
  let pending: string[] = [];
  let backlog: Promise<void> | undefined;
  const flush = (): void => {
    if (pending.length > 0) {
      const written = ports.writeOut(`${pending.join('\n')}\n`);
      if (written !== undefined) backlog = written;
    }
    pending = [];
  };
  const drained = async (): Promise<void> => {
    while (backlog !== undefined) {
      const waiting = backlog;
      backlog = undefined;
      await waiting;
    }
  };
  const write = (line: string): void => {
    pending.push(line);
    if (pending.length >= FLUSH_LINES) flush();
  };
  const writeAlerts = (alerts: unknown[]): void => {
    summary.alerts += alerts.length;
    if (!options.events) for (const alert of alerts) write(JSON.stringify(alert));
  };
  // The event-time span of the file being scanned.
  let span = createTimeSpan();
  const sink: ScanSink = {
    event(event) {
      countEvent(summary, event.event.dataset, event.event.outcome);
      span.add(event['@timestamp'], event.event.dataset === 'atlas.audit');
      if (options.events) write(serialiseEvent(event));
      writeAlerts(detector.evaluate(event));
    },
    invalid(location, reason) {
      countInvalid(summary, location, reason);
    },
  };
  const context: ScanContext = { project: options.project, org: options.org, host: options.host, cluster: options.cluster };
  const state: ScanState = {};
  const showProgressFor = (sizeBytes: number): boolean => options.progress && ports.isTTY && sizeBytes >= PROGRESS_MIN_BYTES;
  let failed = false;
  for (const file of options.files) {
    let outcome: FileOutcome;
    span = createTimeSpan();
    try {
      outcome = await scanFile(file, ports, context, sink, state, showProgressFor, summary, drained);
    } catch (err) {
      outcome = { kind: 'unreadable', records: 0, notes: [err instanceof Error ? err.message : String(err)], failed: true };
    }
    failed ||= outcome.failed;
    summary.files.push({ file, kind: outcome.kind, records: outcome.records, ...(outcome.notes.length > 0 ? { note: outcome.notes.join('; ') } : {}), ...(span.result() ?? {}) });
  }
  diffScannedPosture(state, context, sink);
  writeAlerts(detector.flush());
  flush();
  await drained();
  ports.writeErr(renderSummary(summary));
  return failed ? 1 : 0;
}
