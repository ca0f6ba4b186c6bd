// Benchmark: events/s from the Atlas simulator to Kafka-acknowledged, everything on one box.
// Reads: the load-3x3 scenario (2 simulated hours, 3 projects × 3 hosts), the local stack
// (KAFKA_BROKERS, MONGODB_URI). Writes: its own temporary topics and database, then deletes
// them; figures to stdout. Run: npm run bench:ingest (BENCH_HOURS to resize).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { MongoClient } from 'mongodb';
import { pino } from 'pino';
import { startAtlasSim } from '@atlas-audit/atlas-sim/server';
import { createAdmin } from '@atlas-audit/shared/kafka';
import { endpoints, uniqueSuffix } from '@atlas-audit/test/env';
import { createDigestAuth } from '../src/atlas/auth.ts';
import { createAtlasHttpClient, type EndpointFamily, type FamilyLimits } from '../src/atlas/http-client.ts';
import { createAtlasApi } from '../src/atlas/api.ts';
import { ingestConfigSchema } from '../src/config.ts';
import { createTxKafka } from '../src/kafka-tx.ts';
import { createMongoCheckpoints } from '../src/mongo-checkpoints.ts';
import { startIngest } from '../src/run.ts';
import { gunzipLogBody, splitLines } from '../src/core/gzip-body.ts';

const MIN = 60_000;
const HOURS = Number(process.env['BENCH_HOURS'] ?? 2);
const baseYaml = readFileSync(fileURLToPath(new URL('../../atlas-sim/scenarios/load-3x3.yaml', import.meta.url)), 'utf8');
const START = Date.parse(/^start:\s*(\S+)/m.exec(baseYaml)?.[1] ?? '');
const END = START + HOURS * 60 * MIN;
const yaml = `${baseYaml}\nend: ${new Date(END).toISOString()}\n`;
const ORG = /id:\s*([0-9a-f]{24})/.exec(baseYaml.slice(baseYaml.indexOf('orgs:')))?.[1] ?? '';
const limit: FamilyLimits = { concurrency: 4, intervalCap: 10_000, intervalMs: 1000 };
const limits = Object.fromEntries(['processes', 'clusters', 'groups', 'logs', 'accessHistory', 'events', 'orgEvents', 'posture'].map((f) => [f, limit])) as Record<EndpointFamily, FamilyLimits>;

const sim = await startAtlasSim({ scenario: yaml, apiKeys: { bench: 'bench-key' }, clock: { mode: 'offset', startAt: END + 20 * MIN, speed: 1 }, rateLimits: { logs: null, accessHistory: null } });
const http = createAtlasHttpClient({ baseUrl: sim.url, auth: createDigestAuth('bench', 'bench-key'), limits, timeoutMs: 60_000, retry: { attempts: 5, baseDelayMs: 100, maxDelayMs: 2000 } });
const api = createAtlasApi(http, { itemsPerPage: 500, maxPages: 1000 });

// Warm the simulator's chunk cache (and the JIT) so both runs below read the same warm server.
const hosts = sim.control.world.projects.flatMap((p) => p.processes.map((proc) => ({ project: p.id, host: proc.hostname })));
const windowS = 30 * 60;
async function downloadAll(onBody: (body: Buffer) => number): Promise<number> {
  let lines = 0;
  await Promise.all(
    hosts.map(async ({ project, host }) => {
      for (let s = START / 1000; s < END / 1000; s += windowS) {
        const body = await api.downloadLog(project, host, 'mongodb-audit-log', s, s + windowS);
        lines += onBody(body);
      }
    }),
  );
  return lines;
}
await downloadAll(() => 0);

// Baseline: the same audit windows, downloaded and split into lines only (no normalise, no Kafka).
const baseStarted = performance.now();
const baselineLines = await downloadAll((body) => {
  const decoded = gunzipLogBody(body);
  return decoded.ok ? splitLines(decoded.value).length : 0;
});
const baselineS = (performance.now() - baseStarted) / 1000;

const suffix = uniqueSuffix();
const topics = { events: `bench-ingest-events-${suffix}`, dlq: `bench-ingest-dlq-${suffix}`, checkpoints: `bench-ingest-cp-${suffix}` };
const kafkaConfig = { brokers: [...endpoints.kafkaBrokers], clientId: 'bench-ingest', ssl: false };
const admin = await createAdmin(kafkaConfig);
await admin.createTopics([{ topic: topics.events, partitions: 6 }, { topic: topics.dlq, partitions: 1 }]);
const mongo = new MongoClient(endpoints.mongodbUri);
await mongo.connect();
const database = `bench_ingest_${suffix}`;
const kafka = await createTxKafka(kafkaConfig, topics, `bench-ingest-${suffix}`);
await kafka.ensureCheckpointTopic();
const mirror = createMongoCheckpoints(mongo.db(database));
await mirror.ensureIndexes();
const config = ingestConfigSchema.parse({
  atlas: { baseUrl: sim.url, publicKey: 'bench', privateKey: 'bench-key', orgIds: [ORG] },
  ingest: { startAt: new Date(START).toISOString(), sources: ['audit', 'access', 'events'], audit: { lagMs: 5 * MIN, overlapMs: 10 * MIN } },
  kafka: kafkaConfig,
  mongodb: { uri: endpoints.mongodbUri },
});
let events = 0;
let dlq = 0;
let transactions = 0;
let commitMs = 0;
let firstCommitS = 0;
const cursors = new Map<string, number>();
const abort = new AbortController();
const started = performance.now();
const cpuStart = process.cpuUsage();
const handle = startIngest(config, {
  atlas: api,
  sink: kafka,
  checkpoints: { restore: () => kafka.restoreCheckpoints(), mirror: (cps) => mirror.mirror(cps) },
  clock: { nowMs: () => sim.control.now() },
  observer: {
    coverage: (record, cursorMs) => {
      if (cursorMs !== undefined) cursors.set(record.stream.key, cursorMs);
    },
    committed: (counts) => {
      events += counts.events - counts.windows; // coverage events are not data
      dlq += counts.dlq;
      transactions += 1;
      commitMs += counts.elapsedMs;
      if (firstCommitS === 0) firstCommitS = (performance.now() - started) / 1000;
    },
    streams: () => undefined,
  },
  log: pino({ level: 'warn' }),
}, abort.signal);
while (!(cursors.size >= 16 && [...cursors.values()].every((c) => c >= END))) await new Promise((r) => setTimeout(r, 50));
const elapsedS = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStart);
abort.abort();
await handle.done;

const rate = events / elapsedS;
const baselineRate = baselineLines / baselineS;
process.stdout.write(
  [
    `ingest bench: ${HOURS} simulated hours, 3 projects × 3 hosts + access history + events, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'})`,
    `  events acknowledged by Kafka: ${events} (+${dlq} dead letters) in ${elapsedS.toFixed(1)} s over ${transactions} transactions (${(commitMs / 1000).toFixed(1)} s inside commits; first commit after ${firstCommitS.toFixed(1)} s, checkpoint restore included)`,
    `  ingest: ${Math.round(rate).toLocaleString('en')} events/s simulator → Kafka-acknowledged; process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (simulator included)`,
    `  Kafka transactions alone: ${Math.round(events / (commitMs / 1000)).toLocaleString('en')} events/s while committing`,
    `  baseline in the same run: ${Math.round(baselineRate).toLocaleString('en')} lines/s download + gunzip + split only (${baselineLines} lines in ${baselineS.toFixed(1)} s)`,
    `  ratio ingest/baseline: ${(rate / baselineRate).toFixed(2)}`,
  ].join('\n') + '\n',
);
await kafka.close();
await admin.deleteTopics([topics.events, topics.dlq, topics.checkpoints]).catch(() => undefined);
await admin.close();
await mongo.db(database).dropDatabase().catch(() => undefined);
await mongo.close();
await sim.close();
