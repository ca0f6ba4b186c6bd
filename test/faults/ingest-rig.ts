import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startAtlasSim, type RunningSim } from '@atlas-audit/atlas-sim/server';
import { createAdmin, type IncomingMessage } from '@atlas-audit/shared/kafka';
import { MongoClient } from 'mongodb';
import { endpoints, uniqueSuffix, waitFor } from '@atlas-audit/test/env';
import { collectTopic, expectedServed, type Expected } from '../integration/ingest-harness.ts';

/**
 * The ingest worker's fault-matrix rig: the simulator serving the small `test-small` scenario
 * (about 30,000 events over 3 hours), its own topics and checkpoint database, the worker's env,
 * read_committed readers of the events and DLQ topics, and the measurement of the events topic
 * against what the simulator serves (computed offline).
 */

const MIN = 60_000;
const scenarioPath = fileURLToPath(new URL('../../services/atlas-sim/scenarios/test-small.yaml', import.meta.url));
const baseYaml = readFileSync(scenarioPath, 'utf8');
const START = Date.parse(/^start:\s*(\S+)/m.exec(baseYaml)?.[1] ?? '');
const ORG = /id:\s*([0-9a-f]{24})/.exec(baseYaml.slice(baseYaml.indexOf('orgs:')))?.[1] ?? '';

export type IngestRig = {
  sim: RunningSim;
  env: Record<string, string>;
  expected: Expected;
  /** Every message read from the events topic so far. */
  events: IncomingMessage[];
  dlq: IncomingMessage[];
  /** Data event ids in the events topic (coverage and posture events left out), in arrival order. */
  dataIds(): string[];
  /** Missing, duplicated and never-served counts of the events topic against `expected`. */
  measure(): { lost: number; duplicated: number; unexpected: number; received: number };
  /** Waits until every expected id is in the topic, then until the data in the topics stops growing; resolves with the moment (epoch ms) the last expected id was there. */
  waitComplete(timeoutMs: number): Promise<number>;
  close(): Promise<void>;
};

/**
 * Starts the simulator with `hours` of history whose clock stands `liveMinutes` before the end
 * and runs `speed` times faster than real time, so the worker first catches up and then follows
 * a live edge: input keeps arriving during the test.
 */
export async function startIngestRig(opts: { name: string; hours: number; liveMinutes: number; speed: number }): Promise<IngestRig> {
  const end = START + opts.hours * 60 * MIN;
  const yaml = `${baseYaml}\nend: ${new Date(end).toISOString()}\n`;
  const suffix = uniqueSuffix();
  const topics = { events: `flt-${opts.name}-events-${suffix}`, dlq: `flt-${opts.name}-dlq-${suffix}`, checkpoints: `flt-${opts.name}-cp-${suffix}` };
  const database = `flt_${opts.name.replace(/-/g, '_')}_${suffix}`;
  const admin = await createAdmin({ brokers: [...endpoints.kafkaBrokers], clientId: `flt-${opts.name}`, ssl: false });
  await admin.createTopics([{ topic: topics.events, partitions: 3 }, { topic: topics.dlq, partitions: 1 }]);
  const simStartAt = end - opts.liveMinutes * MIN;
  const anchorRealMs = Date.now();
  const sim = await startAtlasSim({ scenario: yaml, apiKeys: { fltpub: 'flt-private-key' }, clock: { mode: 'offset', startAt: simStartAt, speed: opts.speed }, realNow: Date.now });
  const env = {
    KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
    MONGODB_URI: endpoints.mongodbUri,
    MONGODB_DATABASE: database,
    ATLAS_BASE_URL: sim.url,
    ATLAS_PUBLIC_KEY: 'fltpub',
    ATLAS_PRIVATE_KEY: 'flt-private-key',
    ATLAS_ORG_IDS: ORG,
    INGEST_START_AT: new Date(START).toISOString(),
    INGEST_CLOCK_ANCHOR_MS: String(simStartAt),
    INGEST_CLOCK_ANCHOR_REAL_MS: String(anchorRealMs),
    INGEST_CLOCK_SPEED: String(opts.speed),
    INGEST_AUDIT_INTERVAL_MS: String(MIN),
    INGEST_AUDIT_LAG_MS: String(5 * MIN),
    INGEST_AUDIT_OVERLAP_MS: String(10 * MIN),
    INGEST_AUDIT_MAX_WINDOW_MS: String(15 * MIN),
    INGEST_ACCESS_INTERVAL_MS: String(2 * MIN),
    INGEST_ACCESS_OVERLAP_MS: String(10 * MIN),
    INGEST_EVENTS_INTERVAL_MS: String(2 * MIN),
    INGEST_EVENTS_OVERLAP_MS: String(10 * MIN),
    INGEST_POSTURE_INTERVAL_MS: String(600 * MIN),
    INGEST_RETRY_BASE_MS: String(MIN),
    TOPIC_EVENTS: topics.events,
    TOPIC_DLQ: topics.dlq,
    TOPIC_INGEST_CHECKPOINTS: topics.checkpoints,
    INGEST_TRANSACTIONAL_ID_PREFIX: `flt-${opts.name}-${suffix}`,
  };
  const reader = await collectTopic(topics.events);
  const dlqReader = await collectTopic(topics.dlq);
  const expected = expectedServed(sim.control.world, START, end, undefined);
  const dataIds = (): string[] =>
    reader.messages.flatMap((m) => {
      const event = JSON.parse(String(m.value)) as { event: { id: string; dataset: string } };
      return event.event.dataset === 'atlas.pipeline' || event.event.dataset === 'atlas.posture' ? [] : [event.event.id];
    });
  const measure = (): { lost: number; duplicated: number; unexpected: number; received: number } => {
    const ids = dataIds();
    const distinct = new Set(ids);
    return {
      lost: [...expected.events].filter((id) => !distinct.has(id)).length,
      duplicated: ids.length - distinct.size,
      unexpected: [...distinct].filter((id) => !expected.events.has(id)).length,
      received: ids.length,
    };
  };
  return {
    sim,
    env,
    expected,
    events: reader.messages,
    dlq: dlqReader.messages,
    dataIds,
    measure,
    async waitComplete(timeoutMs) {
      await waitFor(async () => (measure().lost === 0 ? true : undefined), timeoutMs, `${expected.events.size} served events in ${topics.events}`, 500).catch((err: unknown) => {
        throw new Error(`${String(err)}; ${JSON.stringify(measure())}`);
      });
      const completeMs = Date.now();
      let last = -1;
      await waitFor(
        async () => {
          // Coverage events keep coming while the worker runs; only data and dead letters count.
          const now = dataIds().length + dlqReader.messages.length;
          const stable = now === last;
          last = now;
          return stable ? true : undefined;
        },
        60_000,
        'the events topic to settle',
        2_000,
      );
      return completeMs;
    },
    async close() {
      await reader.close();
      await dlqReader.close();
      await sim.close();
      await admin.deleteTopics([topics.events, topics.dlq, topics.checkpoints]).catch(() => undefined);
      await admin.close();
      const mongo = new MongoClient(endpoints.mongodbUri);
      await mongo.connect();
      await mongo.db(database).dropDatabase().catch(() => undefined);
      await mongo.close();
    },
  };
}
