// Benchmark: events/s per core (per CPU-second) through the detection engine with realistic state.
// Reads nothing, writes only stdout. Run: npm run bench:detect (env BENCH_EVENTS to resize).
import { createHash } from 'node:crypto';
import os from 'node:os';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { atlasEventSchema } from '@atlas-audit/shared/schema/event';
import { decodeEvent } from '../src/core/decode.ts';
import { compileConfig } from '../src/core/config/compile.ts';
import { defaultRulesConfig } from '../src/core/config/load.ts';
import { createEngine } from '../src/core/engine.ts';
import { createMemoryState } from '../src/core/state/memory.ts';
import type { StateChange } from '../src/core/state/port.ts';

const GOAL_PER_CORE = 100_000;
const PRINCIPALS = 100_000;
const PREFIXES_PER_PRINCIPAL = 10;
const PROJECTS = 100;
const EVENTS_PER_ROUND = Number(process.env['BENCH_EVENTS'] ?? 60_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 1);

let seed = 1;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const int = (n: number): number => Math.floor(rnd() * n);
const projectOf = (i: number): string => `65f0c0ffee0ddba11ab1${String(i % PROJECTS).padStart(4, '0')}`;
const userOf = (i: number): string => `app_${i}`;
const ipOf = (i: number, k: number): string => `${10 + (i % 200)}.${Math.floor(i / 200) % 250}.${k * 20 + (i % 7)}.${1 + ((i * 31 + k) % 250)}`;
const prefixOfIp = (ip: string): string => `${ip.slice(0, ip.lastIndexOf('.'))}.0/24`;
let idCounter = 0;
const newId = (): string => createHash('sha256').update(String(idCounter++)).digest('hex');

/** State as 60 days of history would leave it: 100k principals × 10 prefixes, last logins, hosts. */
function preloadedState(): ReturnType<typeof createMemoryState> {
  const state = createMemoryState();
  const entries: StateChange[] = [];
  for (let i = 0; i < PRINCIPALS; i++) {
    const key = `${projectOf(i)}/${userOf(i)}@admin`;
    const p: Array<[string, number, number]> = [];
    for (let k = 0; k < PREFIXES_PER_PRINCIPAL; k++) p.push([prefixOfIp(ipOf(i, k)), NOW - 60 * DAY + k * DAY, NOW - DAY + k * 3_600_000]);
    entries.push({ namespace: 'new-ip', key, value: { f: NOW - 60 * DAY, p } });
    entries.push({ namespace: 'last-success', key, value: NOW - DAY });
  }
  state.load(entries);
  return state;
}

function event(i: number, at: number): AtlasEvent {
  const p = int(PRINCIPALS);
  const project = projectOf(p);
  const r = rnd();
  const ip = r < 0.995 ? ipOf(p, int(PREFIXES_PER_PRINCIPAL)) : `198.51.${int(250)}.${int(250)}`;
  const base = {
    schema_version: '1' as const,
    '@timestamp': new Date(at).toISOString(),
    cloud: { provider: 'mongodb_atlas' as const, account: { id: 'org0000000000000000000001' }, project: { id: project } },
    related: { ip: [ip], user: [userOf(p)] },
    source: { ip },
    host: { name: `atlas-${p % PROJECTS}-shard-00-0${i % 3}.x7rgm.mongodb.net` },
  };
  const kind = i % 100;
  if (kind < 70 || kind >= 95) {
    const ok = kind < 70 || kind < 98;
    return { ...base, event: { id: newId(), kind: 'event', category: ['authentication'], type: ['start'], action: 'authenticate', outcome: ok ? 'success' : 'failure', dataset: 'atlas.access', module: 'mongodb_atlas' }, user: { name: userOf(p), domain: 'admin' }, atlas: { auth_source: 'admin', mechanism: 'SCRAM-SHA-256', log_id: ok ? 20250 : 20249, source_coordinates: { project, endpoint: 'dbAccessHistory', occurrence: 0 } } };
  }
  const atype = kind < 92 ? 'authCheck' : kind < 94 ? 'createIndex' : 'dropCollection';
  const roles = kind % 5 === 0 ? ['readWrite@sales', 'dbAdminAnyDatabase@admin'] : ['readWrite@sales'];
  return { ...base, event: { id: newId(), kind: 'event', category: ['database'], type: ['access'], action: atype, outcome: 'success', dataset: 'atlas.audit', module: 'mongodb_atlas' }, user: { name: userOf(p), domain: 'admin', roles }, atlas: { atype, roles, users: [`${userOf(p)}@admin`], param: { command: 'find', ns: 'sales.orders' }, result: { code: 0, name: 'OK' }, log_name: 'mongodb-audit-log', source_coordinates: { project, host: base.host.name, log_name: 'mongodb-audit-log', occurrence: 0 } } };
}

function lines(round: number, n: number): string[] {
  const out: string[] = new Array<string>(n);
  const start = NOW + round * DAY;
  for (let i = 0; i < n; i++) out[i] = JSON.stringify(event(i, start + Math.floor((i * DAY) / n)));
  return out;
}

/**
 * Times `fn` by the process's CPU time (user + system), not the wall clock: on a shared machine
 * other processes' load stretches wall time but not the CPU seconds this core spent, which is
 * what "events per second per core" means.
 */
function timeIt(fn: () => number): { ms: number; sink: number } {
  const before = process.cpuUsage();
  const sink = fn();
  const used = process.cpuUsage(before);
  return { ms: (used.user + used.system) / 1000, sink };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const best = (xs: number[]): number => Math.max(...xs);

const t0 = Date.now();
const state = preloadedState();
const knownIps = PRINCIPALS * PREFIXES_PER_PRINCIPAL;
console.log(`state: ${PRINCIPALS.toLocaleString('en')} principals, ${knownIps.toLocaleString('en')} known IP prefixes, ${state.size().toLocaleString('en')} entries, loaded in ${Date.now() - t0} ms, heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB`);
const engine = createEngine(compileConfig(defaultRulesConfig()), state);

// Warm-up on its own events (JIT), then measured rounds on fresh, later events.
for (const l of lines(-1, 30_000)) engine.evaluate(JSON.parse(l) as AtlasEvent);
state.markClean();

const base: number[] = [];
const both: number[] = [];
const engineOnly: number[] = [];
let alerts = 0;
for (let round = 0; round < ROUNDS; round++) {
  // Fresh, later events each round; the same lines are timed parse-only, then parse + evaluate,
  // so the engine's own cost is the difference (objects die young in both loops, as in the consumer).
  const batch = lines(round, EVENTS_PER_ROUND);
  const parse = timeIt(() => {
    let n = 0;
    for (const l of batch) n += (JSON.parse(l) as AtlasEvent).event.id.length;
    return n;
  });
  const detect = timeIt(() => {
    let n = 0;
    for (const l of batch) n += engine.evaluate(JSON.parse(l) as AtlasEvent).length;
    return n;
  });
  alerts += detect.sink;
  base.push(EVENTS_PER_ROUND / (parse.ms / 1000));
  both.push(EVENTS_PER_ROUND / (detect.ms / 1000));
  engineOnly.push(EVENTS_PER_ROUND / (Math.max(detect.ms - parse.ms, 1e-3) / 1000));
}
// The consumer also validates each record with zod: measured once, smaller, for context.
const zodBatch = lines(ROUNDS, Math.min(EVENTS_PER_ROUND, 20_000));
const zodBytes = zodBatch.map((l) => Buffer.from(l));
// Warm both validators up (validation only, the engine's state is untouched) so neither pays for JIT alone.
for (let i = 0; i < Math.min(zodBatch.length, 2_000); i++) {
  atlasEventSchema.safeParse(JSON.parse(zodBatch[i] as string));
  decodeEvent(zodBytes[i] as Buffer);
}
const validated = timeIt(() => {
  let n = 0;
  for (const l of zodBatch) {
    const parsed = atlasEventSchema.safeParse(JSON.parse(l));
    if (parsed.success) n += engine.evaluate(parsed.data).length;
  }
  return n;
});

// The consumer's own path: decodeEvent (JSON.parse + the compiled schema) over the record bytes.
const decoded = timeIt(() => {
  let n = 0;
  for (const b of zodBytes) {
    const result = decodeEvent(b);
    if (result.ok) n += engine.evaluate(result.value).length;
  }
  return n;
});

const fmt = (n: number): string => Math.round(n).toLocaleString('en');
const engineRate = median(engineOnly);
const baseRate = median(base);
console.log(`events per round: ${fmt(EVENTS_PER_ROUND)}, ${ROUNDS} rounds on 1 core (median, best); alerts raised: ${alerts}; state entries now ${fmt(state.size())}`);
console.log(`baseline  JSON.parse only                       : ${fmt(baseRate)} events/s (best ${fmt(best(base))})`);
console.log(`measured  JSON.parse + evaluate (all rules)     : ${fmt(median(both))} events/s/core (best ${fmt(best(both))}), ${(median(both) / baseRate * 100).toFixed(1)}% of the baseline`);
console.log(`engine    evaluate alone (difference of the two): ${fmt(engineRate)} events/s/core (best ${fmt(best(engineOnly))}), ${(engineRate / baseRate).toFixed(2)}× the JSON.parse rate`);
console.log(`pipeline  JSON.parse + zod + evaluate           : ${fmt(zodBatch.length / (validated.ms / 1000))} events/s/core`);
console.log(`consumer  decodeEvent (compiled) + evaluate     : ${fmt(zodBytes.length / (decoded.ms / 1000))} events/s/core`);
console.log(`goal ${fmt(GOAL_PER_CORE)} events/s/core through the engine: ${engineRate >= GOAL_PER_CORE ? 'MET' : 'NOT MET'} at the median (${(engineRate / GOAL_PER_CORE).toFixed(2)}× goal); load average ${os.loadavg()[0]?.toFixed(1)} on ${os.availableParallelism()} cores`);
