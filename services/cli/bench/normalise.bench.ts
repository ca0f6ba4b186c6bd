// npm run bench:normalise — events/s per core for gunzip → split → parse → normalise → validate
// → serialise over ≥1,000,000 generated audit lines, against bare gunzip → split → JSON.parse
// over the same bytes, in the same run; and, as the ceiling of their ratio, the rate of that
// baseline plus serialising each line's finished event. Optional: LINES=<n> (default 1,000,000).
import { gunzipSync } from 'node:zlib';
import { createAuditNormaliser } from '@atlas-audit/shared/core/normalise/audit';
import { checkEvent, serialiseEvent } from '@atlas-audit/shared/core/validate';
import { parseAtlasEvent } from '@atlas-audit/shared/schema/event-validator';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { atlasEventSchema } from '@atlas-audit/shared/schema/event';
import { forEachLine } from '../src/core/split-lines.ts';
import { auditLine, gzippedAuditMembers } from './generate-lines.ts';

const GOAL_EVENTS_PER_S = 100_000;
const GOAL_RATIO = 0.5;
const LINES = Number(process.env['LINES'] ?? 1_000_000);
const LINES_PER_MEMBER = 50_000;
/** The download the generated lines come from (one normaliser per member, as per window). */
const CONTEXT = { project: '65f0c0ffee0ddba11ab1e5e1', host: 'atlas-q7x2kd-shard-00-01.x7rgm.mongodb.net', logName: 'mongodb-audit-log', cluster: 'Cluster0' };

type Measure = { records: number; wallMs: number; cpuMs: number; check: number };

function measure(run: () => { records: number; check: number }): Measure {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const { records, check } = run();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { records, check, wallMs, cpuMs: (used.user + used.system) / 1000 };
}

function bare(members: Buffer[]): { records: number; check: number } {
  let records = 0;
  let check = 0;
  for (const member of members) {
    forEachLine(gunzipSync(member), (line) => {
      const doc = JSON.parse(line.toString('utf8')) as { atype?: string };
      records += 1;
      check += doc.atype === undefined ? 0 : 1;
    });
  }
  return { records, check };
}

function pipeline(members: Buffer[]): { records: number; check: number } {
  let records = 0;
  let check = 0;
  for (const member of members) {
    const normalise = createAuditNormaliser(CONTEXT);
    forEachLine(gunzipSync(member), (line) => {
      const result = normalise(line);
      if (!result.ok) throw new Error(`generated line rejected: ${result.reason}`);
      const valid = checkEvent(result.value);
      if (!valid.ok) throw new Error(`generated event invalid: ${valid.reason}`);
      check += serialiseEvent(valid.value).length;
      records += 1;
    });
  }
  return { records, check };
}

/** How many finished events the floor path cycles through: a multiple of the generator's 10 line kinds. */
const FLOOR_EVENTS = 100;

/**
 * The least any pipeline that parses the line and ends in this event as JSON can cost: bare
 * gunzip → split → JSON.parse, then JSON.stringify of a finished event of that line's kind.
 * Normalising and validating are free here, so this path's rate over the baseline's bounds the
 * ratio from above. The events (those of the first FLOOR_EVENTS lines, built beforehand) are few
 * enough to stay in cache, as the event the pipeline has just built is: serialising 50,000 events
 * scattered over the heap instead costs markedly more per event (cache misses), which would
 * understate the ceiling.
 */
function floor(members: Buffer[], events: AtlasEvent[]): { records: number; check: number } {
  let records = 0;
  let check = 0;
  for (const member of members) {
    let i = 0;
    forEachLine(gunzipSync(member), (line) => {
      const doc = JSON.parse(line.toString('utf8')) as { atype?: string };
      check += doc.atype === undefined ? 0 : serialiseEvent(events[i] as AtlasEvent).length;
      i = i + 1 === events.length ? 0 : i + 1;
      records += 1;
    });
  }
  return { records, check };
}

/** The finished events of the first `count` generated lines (those of the first member). */
function finishedEvents(count: number): AtlasEvent[] {
  const normalise = createAuditNormaliser(CONTEXT);
  return Array.from({ length: count }, (_, i) => {
    const result = normalise(auditLine(i));
    if (!result.ok) throw new Error(`generated line rejected: ${result.reason}`);
    return result.value;
  });
}

/**
 * Where the pipeline's time goes: CPU µs per line for each stage, over the first member(s),
 * in batches of 250 lines so that holding intermediate results does not distort GC.
 */
function stages(sample: Buffer[]): { perLine: Record<string, number>; inBytes: number; outBytes: number } {
  const totals = { split: 0, parse: 0, normalise: 0, validate: 0, zod: 0, copy: 0, serialise: 0 };
  let count = 0;
  let inBytes = 0;
  let outBytes = 0;
  const cpu = (): number => {
    const used = process.cpuUsage();
    return used.user + used.system;
  };
  for (const member of sample) {
    let t = cpu();
    const lines: Buffer[] = [];
    forEachLine(gunzipSync(member), (line) => lines.push(line));
    totals.split += cpu() - t;
    const normalise = createAuditNormaliser(CONTEXT);
    for (let start = 0; start < lines.length; start += 250) {
      const batch = lines.slice(start, start + 250);
      for (const line of batch) inBytes += line.length;
      t = cpu();
      for (const line of batch) JSON.parse(line.toString('utf8'));
      const t1 = cpu();
      const events: AtlasEvent[] = [];
      for (const line of batch) {
        const result = normalise(line);
        if (result.ok) events.push(result.value);
      }
      const t2 = cpu();
      const valid: AtlasEvent[] = [];
      for (const event of events) {
        const result = checkEvent(event);
        if (result.ok) valid.push(result.value);
      }
      const t3 = cpu();
      for (const event of valid) outBytes += serialiseEvent(event).length;
      const t4 = cpu();
      // zod itself, and the compiled parser (a schema-ordered copy), over the same events, for comparison.
      for (const event of events) atlasEventSchema.safeParse(event);
      const t5 = cpu();
      for (const event of events) parseAtlasEvent(event);
      const t6 = cpu();
      totals.parse += t1 - t;
      totals.normalise += t2 - t1;
      totals.validate += t3 - t2;
      totals.serialise += t4 - t3;
      totals.zod += t5 - t4;
      totals.copy += t6 - t5;
      count += batch.length;
    }
  }
  const perLine = {
    'gunzip+split': totals.split / count,
    'decode+JSON.parse (also inside normalise)': totals.parse / count,
    'normalise (incl. decode, parse, sha256)': totals.normalise / count,
    'validate (compiled schema, in place)': totals.validate / count,
    '  (compiled parser copy, not in the pipeline)': totals.copy / count,
    '  (zod safeParse, not in the pipeline)': totals.zod / count,
    serialise: totals.serialise / count,
  };
  return { perLine, inBytes: inBytes / count, outBytes: outBytes / count };
}

const perS = (m: Measure, ms: number): number => (m.records / ms) * 1000;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

const { members, rawBytes } = gzippedAuditMembers(LINES, LINES_PER_MEMBER);
const gzBytes = members.reduce((sum, m) => sum + m.length, 0);
console.log(`lines: ${fmt(LINES)}  raw: ${(rawBytes / 1e6).toFixed(1)} MB  gzip: ${(gzBytes / 1e6).toFixed(1)} MB (${members.length} members)`);
// Warm up both paths on one member so neither pays for JIT compilation alone.
bare(members.slice(0, 1));
pipeline(members.slice(0, 1));
const baseline = measure(() => bare(members));
const full = measure(() => pipeline(members));
const events = finishedEvents(FLOOR_EVENTS);
floor(members.slice(0, 1), events);
const least = measure(() => floor(members, events));
if (baseline.records !== LINES || full.records !== LINES || least.records !== LINES) throw new Error('record counts differ');

const fullRate = perS(full, full.cpuMs);
const bareRate = perS(baseline, baseline.cpuMs);
const ratio = fullRate / bareRate;
console.log(`baseline  gunzip→split→JSON.parse:                                ${fmt(perS(baseline, baseline.cpuMs))} lines/s per core (CPU ${fmt(baseline.cpuMs)} ms, wall ${fmt(baseline.wallMs)} ms, ${fmt(perS(baseline, baseline.wallMs))} lines/s wall)`);
console.log(`pipeline  gunzip→split→parse→normalise→validate→serialise:        ${fmt(fullRate)} events/s per core (CPU ${fmt(full.cpuMs)} ms, wall ${fmt(full.wallMs)} ms, ${fmt(perS(full, full.wallMs))} events/s wall)`);
console.log(`ratio pipeline/baseline: ${ratio.toFixed(2)}`);
console.log(`goal ratio ≥ ${GOAL_RATIO}: ${ratio >= GOAL_RATIO ? 'met' : 'NOT met'}`);
console.log(`goal ≥ ${fmt(GOAL_EVENTS_PER_S)} events/s per core: ${fullRate >= GOAL_EVENTS_PER_S ? 'met' : 'NOT met'}`);
console.log('CPU µs per line by stage (first 100,000 lines, measured separately):');
const byStage = stages(members.slice(0, 2));
for (const [stage, us] of Object.entries(byStage.perLine)) console.log(`  ${stage.padEnd(40)} ${us.toFixed(2)}`);
console.log(`bytes per line: ${Math.round(byStage.inBytes)} in, ${Math.round(byStage.outBytes)} out (serialised event)`);
// The ceiling, measured like the baseline over the same bytes: parse the line and serialise its
// finished event, with normalise and validate free.
const floorRate = perS(least, least.cpuMs);
const ceiling = floorRate / bareRate;
console.log(`floor     gunzip→split→JSON.parse→JSON.stringify(finished event): ${fmt(floorRate)} events/s per core (CPU ${fmt(least.cpuMs)} ms)`);
console.log(`ratio ceiling for this event shape: floor/baseline = ${ceiling.toFixed(2)} (normalise and validate free); the pipeline reaches ${(ratio / ceiling).toFixed(2)} of it`);
