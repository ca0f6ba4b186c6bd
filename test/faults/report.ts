import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * One row of the fault matrix: what a fault did to the pipeline, measured by a test on the real
 * stack. Every fault test ends with `reportFault`, which prints the row, appends it to
 * `test-output/faults.jsonl` (read by `scripts/run-faults.ts` for the summary table) and then
 * asserts the matrix' requirement: 0 lost, 0 duplicated documents, 0 duplicate alerts, baselines
 * not double-counted. The row is written before the assertions, so a failing fault is reported too.
 */
export type FaultRow = {
  /** Short name of the fault, e.g. "detect SIGKILL mid-batch". */
  fault: string;
  /** What the fault hit: ingest, detect, indexer, siem, kafka, elasticsearch, mongodb, atlas, input. */
  target: string;
  /** Records the test expected at the sink it checks (events, alerts or deliveries). */
  expected: number;
  /** Expected records missing at the sink. */
  lost: number;
  /** Records stored more than once at the sink (same id twice, or more documents than ids). */
  duplicated: number;
  /** Dead-letter records the run produced (expected poison counts, not a failure by themselves). */
  dlq: number;
  /** Distinct alert ids raised more than once or outside the expected set; absent when the test raises no alerts. */
  duplicateAlerts?: number;
  /** Baseline entries whose counters differ from a run without the fault; absent when the test keeps no baselines. */
  baselineDrift?: number;
  /** Milliseconds from the end of the fault (restart, service back) until the sink held everything expected. */
  recoveryMs: number;
  /** Anything a reader of the matrix needs: redeliveries at an at-least-once boundary, retries seen, and so on. */
  notes?: string;
};

const outFile = fileURLToPath(new URL('../../test-output/faults.jsonl', import.meta.url));

/** Prints and records `row`, then fails the calling test unless nothing was lost, doubled or double-counted. */
export function reportFault(row: FaultRow): void {
  const line = JSON.stringify({ ...row, at: new Date().toISOString() });
  process.stdout.write(`FAULT ${line}\n`);
  mkdirSync(dirname(outFile), { recursive: true });
  appendFileSync(outFile, `${line}\n`);
  assert.equal(row.lost, 0, `${row.fault}: lost records`);
  assert.equal(row.duplicated, 0, `${row.fault}: duplicated documents`);
  if (row.duplicateAlerts !== undefined) assert.equal(row.duplicateAlerts, 0, `${row.fault}: duplicate alerts`);
  if (row.baselineDrift !== undefined) assert.equal(row.baselineDrift, 0, `${row.fault}: baselines double-counted or lost`);
  assert.ok(row.expected > 0, `${row.fault}: the test expected something at its sink`);
}

