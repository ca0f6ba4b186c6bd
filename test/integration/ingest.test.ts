import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { startAtlasSim } from '@atlas-audit/atlas-sim/server';
import { createAdmin } from '@atlas-audit/shared/kafka';
import { atlasEventSchema } from '@atlas-audit/shared/schema/event';
import { dlqRecordSchema } from '@atlas-audit/shared/schema/dlq';
import { endpoints, uniqueSuffix, waitFor } from '@atlas-audit/test/env';
import { collectTopic, expectedServed, firstRequestWithheldLateLines, mirroredCursors, spawnIngest, type IngestProcess } from './ingest-harness.ts';

/**
 * Acceptance of the ingest worker on the real stack: the simulator serves the load-3x3
 * scenario (3 projects × 3 hosts, ~200,000 audit lines in 6 hours, 0.2 % invalid lines, access
 * history, project and org events); the worker, spawned as a child process, catches up the
 * first 5 hours in capped windows and then follows the rest live with the simulator's
 * clock running 40× faster than real time, with late lines (120× in the SIGKILL run). Kafka must then hold exactly the
 * served set: 0 missing, 0 duplicated by event.id; invalid lines in the DLQ with reasons.
 */

const MIN = 60_000;
const scenarioPath = fileURLToPath(new URL('../../services/atlas-sim/scenarios/load-3x3.yaml', import.meta.url));
const baseYaml = readFileSync(scenarioPath, 'utf8');
const START = Date.parse(/^start:\s*(\S+)/m.exec(baseYaml)?.[1] ?? '');
const END = START + 6 * 60 * MIN;
const yaml = `${baseYaml}\nend: ${new Date(END).toISOString()}\n`;
const ORG = /id:\s*([0-9a-f]{24})/.exec(baseYaml.slice(baseYaml.indexOf('orgs:')))?.[1] ?? '';
// Late lines in the last 10 minutes, when the worker follows the live edge (it needs ~30 simulated
// minutes to catch up the first 5 hours).
const LATE = { fraction: 0.02, delayMs: 4 * MIN, sinceMs: START + 350 * MIN };
const logDir = fileURLToPath(new URL('../../test-output/', import.meta.url));

/** `speed`: simulated ms per real ms. 40 lets the worker reach the live edge before the late lines. */
type Run = { kills: number; speed: number };

async function runScenario(run: Run): Promise<void> {
  mkdirSync(logDir, { recursive: true });
  const suffix = uniqueSuffix();
  const topics = { events: `it-ingest-events-${suffix}`, dlq: `it-ingest-dlq-${suffix}`, checkpoints: `it-ingest-cp-${suffix}` };
  const database = `it_ingest_${suffix}`;
  const admin = await createAdmin({ brokers: [...endpoints.kafkaBrokers], clientId: 'it-ingest', ssl: false });
  await admin.createTopics([{ topic: topics.events, partitions: 6 }, { topic: topics.dlq, partitions: 2 }]);
  const mongo = new MongoClient(endpoints.mongodbUri);
  await mongo.connect();
  const simStartAt = START + 5 * 60 * MIN;
  const anchorRealMs = Date.now();
  const sim = await startAtlasSim({ scenario: yaml, apiKeys: { itpub: 'it-private-key' }, clock: { mode: 'offset', startAt: simStartAt, speed: run.speed }, realNow: Date.now, lateLines: LATE });
  const env = {
    ATLAS_BASE_URL: sim.url,
    ATLAS_PUBLIC_KEY: 'itpub',
    ATLAS_PRIVATE_KEY: 'it-private-key',
    ATLAS_ORG_IDS: ORG,
    INGEST_START_AT: new Date(START).toISOString(),
    INGEST_CLOCK_ANCHOR_MS: String(simStartAt),
    INGEST_CLOCK_ANCHOR_REAL_MS: String(anchorRealMs),
    INGEST_CLOCK_SPEED: String(run.speed),
    INGEST_AUDIT_INTERVAL_MS: String(MIN),
    INGEST_AUDIT_LAG_MS: String(5 * MIN),
    INGEST_AUDIT_OVERLAP_MS: String(15 * MIN),
    INGEST_AUDIT_MAX_WINDOW_MS: String(30 * MIN),
    INGEST_ACCESS_INTERVAL_MS: String(2 * MIN),
    INGEST_ACCESS_OVERLAP_MS: String(15 * MIN),
    INGEST_EVENTS_INTERVAL_MS: String(2 * MIN),
    INGEST_EVENTS_OVERLAP_MS: String(15 * MIN),
    INGEST_POSTURE_INTERVAL_MS: String(60 * MIN),
    INGEST_RETRY_BASE_MS: String(MIN),
    TOPIC_EVENTS: topics.events,
    TOPIC_DLQ: topics.dlq,
    TOPIC_INGEST_CHECKPOINTS: topics.checkpoints,
    INGEST_TRANSACTIONAL_ID_PREFIX: `it-ingest-${suffix}`,
    MONGODB_DATABASE: database,
    HTTP_PORT: '0',
  };
  const logFile = `${logDir}ingest-${suffix}.log`;
  let worker: IngestProcess = spawnIngest(env, logFile);
  const reader = await collectTopic(topics.events);
  const dlqReader = await collectTopic(topics.dlq);
  try {
    const restoreLines = (): number[] =>
      readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((line) => line.includes('"checkpoints restored"'))
        .map((line) => (JSON.parse(line) as { checkpoints: number }).checkpoints);
    for (let k = 0; k < run.kills; k += 1) {
      // Kill while the worker is working: after it has restored its checkpoints, at a random moment.
      await waitFor(async () => (restoreLines().length > k ? true : undefined), 60_000, `worker ${k + 1} to restore its checkpoints`, 100);
      await new Promise((r) => setTimeout(r, 1_000 + Math.floor(Math.random() * 5_000)));
      worker.child.kill('SIGKILL');
      await worker.exited;
      worker = spawnIngest(env, logFile);
    }
    const started = Date.now();
    // Every chunk, late lines included, is visible by END + 9 min.
    const doneCursor = END + 12 * MIN;
    await waitFor(
      async () => {
        const cursors = await mirroredCursors(mongo, database);
        const timed = [...cursors.entries()].filter(([key]) => !key.startsWith('posture'));
        // 9 audit streams, 3 access streams, 3 project feeds, 1 org feed.
        return timed.length >= 16 && timed.every(([, cursor]) => cursor >= doneCursor) ? true : undefined;
      },
      240_000,
      `every stream's checkpoint past ${new Date(doneCursor).toISOString()} (log: ${logFile})`,
      500,
    );
    const caughtUpS = (Date.now() - started) / 1000;
    const want = expectedServed(sim.control.world, START, END, LATE);
    assert.ok(want.byKind['audit'] !== undefined && want.byKind['audit'] >= 200_000, `scenario serves ≥200,000 audit lines (${want.byKind['audit']})`);
    const datasetOf = new Map<string, string>();
    const dataIds = (): string[] =>
      reader.messages.flatMap((m) => {
        const event = JSON.parse(String(m.value)) as { event: { id: string; dataset: string } };
        datasetOf.set(event.event.id, event.event.dataset);
        return event.event.dataset === 'atlas.pipeline' || event.event.dataset === 'atlas.posture' ? [] : [event.event.id];
      });
    await waitFor(async () => (new Set(dataIds()).size >= want.events.size ? true : undefined), 120_000, `${want.events.size} distinct events in Kafka`, 500);
    // Settle: whatever else was committed is read too before counting.
    let last = -1;
    await waitFor(async () => {
      const now = dataIds().length;
      const stable = now === last;
      last = now;
      return stable ? true : undefined;
    }, 60_000, 'the events topic to settle', 2_000);
    const ids = dataIds();
    const distinct = new Set(ids);
    const missing = [...want.events].filter((id) => !distinct.has(id)).length;
    const unexpected = [...distinct].filter((id) => !want.events.has(id));
    const byDataset: Record<string, number> = {};
    for (const id of unexpected) byDataset[datasetOf.get(id) ?? '?'] = (byDataset[datasetOf.get(id) ?? '?'] ?? 0) + 1;
    assert.equal(missing, 0, 'missing events');
    assert.equal(unexpected.length, 0, `events that were never served: ${JSON.stringify(byDataset)}`);
    assert.equal(ids.length - distinct.size, 0, 'duplicated events (same event.id twice in Kafka)');
    for (const m of reader.messages.slice(0, 2_000)) atlasEventSchema.parse(JSON.parse(String(m.value)));
    const coverage = reader.messages.map((m) => JSON.parse(String(m.value)) as { event: { dataset: string; action: string } }).filter((e) => e.event.dataset === 'atlas.pipeline');
    assert.ok(coverage.some((e) => e.event.action === 'window-fetched'), 'coverage events are produced');
    const dlq = dlqReader.messages.map((m) => dlqRecordSchema.parse(JSON.parse(String(m.value))));
    const dlqLines = dlq.filter((d) => d.origin.source === 'atlas.audit' && d.origin.line !== undefined);
    assert.equal(new Set(dlqLines.map((d) => d.id)).size, want.invalidLines, 'every invalid line is in the DLQ');
    assert.equal(dlqLines.length, want.invalidLines, 'and only once');
    assert.ok(dlqLines.every((d) => d.reason.length > 0 && d.origin.host !== undefined && d.origin.window !== undefined));
    if (run.kills === 0) {
      // Without restarts the worker follows the live edge, where downloads miss late lines.
      assert.ok(firstRequestWithheldLateLines(sim.control.world, sim.control.requests({ endpoint: 'logs' }), LATE) !== undefined, 'some downloads withheld late lines, which later windows picked up');
    }
    if (run.kills > 0) {
      // Each restart resumed from committed checkpoints, not from scratch.
      const restores = restoreLines();
      assert.equal(restores.length, run.kills + 1, 'one start plus one per kill');
      assert.ok(restores.slice(1).filter((n) => n > 0).length >= run.kills - 1, `restarts resumed from checkpoints: ${JSON.stringify(restores)}`);
    }
    process.stdout.write(`# ingest acceptance (kills=${run.kills}): served ${want.events.size} (audit ${want.byKind['audit']}, access ${want.byKind['access']}, activity ${want.byKind['activity']}), kafka ${ids.length} data messages, ${distinct.size} distinct, dlq ${dlqLines.length}, all checkpoints past the end after ${caughtUpS.toFixed(1)} s\n`);
  } finally {
    worker.child.kill('SIGTERM');
    await Promise.race([worker.exited, new Promise((r) => setTimeout(r, 30_000))]);
    worker.child.kill('SIGKILL');
    await reader.close();
    await dlqReader.close();
    await sim.close();
    await admin.deleteTopics([topics.events, topics.dlq, topics.checkpoints]).catch(() => undefined);
    await admin.close();
    await mongo.db(database).dropDatabase().catch(() => undefined);
    await mongo.close();
  }
}

test('ingest: Kafka holds exactly the served set (≥200,000 audit lines, 3 projects × 3 hosts, late lines): 0 missing, 0 duplicated; invalid lines in the DLQ', { timeout: 420_000 }, async () => {
  await runScenario({ kills: 0, speed: 40 });
});

test('ingest: the same with the worker SIGKILLed at 5 random moments and restarted', { timeout: 420_000 }, async () => {
  // Restarts keep the worker behind the live edge anyway: a faster clock keeps the test short.
  await runScenario({ kills: 5, speed: 120 });
});
