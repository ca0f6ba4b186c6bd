import { serialiseEvent } from '@atlas-audit/shared/core/validate';
import type { ScanOptions } from './core/args.ts';
import { decompress } from './core/decompress.ts';
import { PROGRESS_MIN_BYTES, renderProgress } from './core/progress.ts';
import { scanContent } from './core/scan-content.ts';
import { countEvent, countInvalid, createSummary, renderSummary } from './core/summary.ts';
import type { Detector, DetectorOptions } from './detector.ts';

/** What `scan` needs from the outside world. */
export type ScanPorts = {
  readFile(path: string): Buffer;
  writeOut(text: string): void;
  writeErr(text: string): void;
  /** True when stderr is a terminal (progress bar allowed). */
  isTTY: boolean;
  createDetector(options: DetectorOptions): Detector;
};

const FLUSH_LINES = 2048;

/**
 * Runs `atlas-audit scan`: each file is read, decompressed, sniffed and normalised; events go
 * through the detector; alerts (or with `--events` the events) are written as NDJSON in input
 * order; a summary goes to stderr. Invalid records and unreadable files never stop the scan.
 * Returns the exit code: 0, or 1 when a file could not be read or recognised.
 */
export function runScan(options: ScanOptions, ports: ScanPorts): number {
  const summary = createSummary();
  const detector = ports.createDetector({ timeZone: options.timeZone, ...(options.rulesFile === undefined ? {} : { rulesFile: options.rulesFile }) });
  let pending: string[] = [];
  const write = (line: string): void => {
    pending.push(line);
    if (pending.length >= FLUSH_LINES) flush();
  };
  const flush = (): void => {
    if (pending.length > 0) ports.writeOut(`${pending.join('\n')}\n`);
    pending = [];
  };
  const writeAlerts = (alerts: unknown[]): void => {
    summary.alerts += alerts.length;
    if (!options.events) for (const alert of alerts) write(JSON.stringify(alert));
  };
  let failed = false;
  const state = {};
  for (const file of options.files) {
    let raw: Buffer;
    try {
      raw = ports.readFile(file);
    } catch (err) {
      failed = true;
      summary.files.push({ file, kind: 'unreadable', records: 0, note: err instanceof Error ? err.message : String(err) });
      continue;
    }
    const content = decompress(raw);
    if (!content.ok) {
      failed = true;
      summary.files.push({ file, kind: 'unreadable', records: 0, note: content.reason });
      continue;
    }
    const total = content.value.bytes.length;
    const showProgress = options.progress && ports.isTTY && total >= PROGRESS_MIN_BYTES;
    const result = scanContent(file, content.value.bytes, { project: options.project, org: options.org, host: options.host, cluster: options.cluster }, {
      event(event) {
        countEvent(summary, event.event.dataset, event.event.outcome);
        if (options.events) write(serialiseEvent(event));
        writeAlerts(detector.evaluate(event));
      },
      invalid(location, reason) {
        countInvalid(summary, location, reason);
      },
      ...(showProgress ? { progress: (done: number) => ports.writeErr(renderProgress(done, total, summary.events)) } : {}),
    }, state);
    if (showProgress) ports.writeErr('\n');
    if (result.kind === 'unrecognised') failed = true;
    const note = [content.value.note, result.detail].filter((text) => text !== undefined).join('; ');
    summary.files.push({ file, kind: result.kind, records: result.records, ...(note.length > 0 ? { note } : {}) });
  }
  writeAlerts(detector.flush());
  flush();
  ports.writeErr(renderSummary(summary));
  return failed ? 1 : 0;
}
