// npm run bench:scan — events/s per core (CPU time) of `atlas-audit scan` over generated audit
// lines, with every default detection rule, against the same scan with no rules in the same run
// (what detection costs on top of reading, normalising and validating). Runs runScan in-process
// on an in-memory gzip file; nothing is read or written but stdout. The generated traffic fails
// 5% of logins (three principals fail every 420 ms of event time), so the failure windows sit at
// their cap: a flood, the load under which detection must keep up. Optional: LINES=<n>
// (default 1,000,000), ROUNDS=<n> (default 2; the runs alternate, the best of each is reported).
import { createDetector } from '../src/detector.ts';
import type { Detector } from '../src/detector.ts';
import { runScan } from '../src/run.ts';
import { gzippedAuditMembers } from './generate-lines.ts';

const LINES = Number(process.env['LINES'] ?? 1_000_000);
const ROUNDS = Number(process.env['ROUNDS'] ?? 2);
const LINES_PER_MEMBER = 50_000;
const CHUNK_BYTES = 1024 * 1024;

async function* chunksOf(file: Buffer): AsyncGenerator<Buffer> {
  for (let at = 0; at < file.length; at += CHUNK_BYTES) yield file.subarray(at, at + CHUNK_BYTES);
}

const noRules = (): Detector => ({ evaluate: () => [], flush: () => [] });

/** One scan of the file; returns CPU µs and what it wrote. */
async function scanOnce(file: Buffer, withRules: boolean): Promise<{ cpuUs: number; alerts: number; summary: string }> {
  let alerts = 0;
  let summary = '';
  const started = process.cpuUsage();
  const code = await runScan(
    { timeZone: 'UTC', events: false, progress: false, files: ['atlas-q7x2kd-shard-00-01.x7rgm.mongodb.net_mongodb-audit-log_2025-03-04.gz'], project: '65f0c0ffee0ddba11ab1e5e1' },
    {
      openFile: () => ({ sizeBytes: file.length, chunks: chunksOf(file) }),
      writeOut: (text) => {
        for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) alerts++;
      },
      writeErr: (text) => {
        summary += text;
      },
      isTTY: false,
      createDetector: withRules ? createDetector : noRules,
    },
  );
  const used = process.cpuUsage(started);
  if (code !== 0) throw new Error(`scan exited ${code}: ${summary}`);
  return { cpuUs: used.user + used.system, alerts, summary };
}

const file = Buffer.concat(gzippedAuditMembers(LINES, LINES_PER_MEMBER).members);
console.log(`lines: ${LINES.toLocaleString('en-US')}  gzip: ${(file.length / 1e6).toFixed(1)} MB`);
const best = { none: Infinity, rules: Infinity };
let alerts = 0;
for (let round = 0; round < ROUNDS; round++) {
  const a = await scanOnce(file, false);
  const b = await scanOnce(file, true);
  if (!a.summary.includes(`events: ${LINES}`) || !b.summary.includes(`events: ${LINES}`)) throw new Error(`not every line became an event:\n${a.summary}\n${b.summary}`);
  best.none = Math.min(best.none, a.cpuUs);
  best.rules = Math.min(best.rules, b.cpuUs);
  alerts = b.alerts;
  console.log(`round ${round + 1}: no rules ${(a.cpuUs / 1e6).toFixed(2)} s CPU, all rules ${(b.cpuUs / 1e6).toFixed(2)} s CPU (${b.alerts} alerts)`);
}
const rate = (us: number): number => Math.round(LINES / (us / 1e6));
const none = rate(best.none);
const rules = rate(best.rules);
console.log(`baseline  scan, no rules (read, gunzip, split, normalise, validate): ${none.toLocaleString('en-US')} events/s per core`);
console.log(`measured  scan, all default rules:                                 ${rules.toLocaleString('en-US')} events/s per core (${alerts} alerts)`);
console.log(`ratio ${(rules / none).toFixed(2)}; detection ${((best.rules - best.none) / LINES).toFixed(2)} µs per event`);
console.log(`BENCH ${JSON.stringify({ figure: 'atlas-audit scan with all default rules (failure flood)', value: rules, unit: 'events/s per core', baseline: none, baselineName: 'the same scan with no rules' })}`);
