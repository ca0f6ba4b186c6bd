import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { startAtlasSim, type RunningSim } from '@atlas-audit/atlas-sim/server';
import type { FaultSpec } from '@atlas-audit/atlas-sim/core/faults';
import type { LateLines } from '@atlas-audit/atlas-sim/core/host-chunk';
import type { World } from '@atlas-audit/atlas-sim/core/world';
import { createAdmin } from '@atlas-audit/shared/kafka';
import { dlqRecordSchema, type DlqRecord } from '@atlas-audit/shared/schema/dlq';
import { endpoints, uniqueSuffix, waitFor } from '@atlas-audit/test/env';
import { collectTopic } from '../integration/ingest-harness.ts';
import { startService, type ServiceProcess } from './service-process.ts';

/**
 * One ingest worker (a real child process) against an in-process Atlas simulator serving one
 * project of the load-3x3 scenario for an hour, on the shared Kafka and FerretDB: its own
 * topics and database, readers of the events, DLQ and checkpoint topics, and waits on the
 * committed checkpoints. Used by the Atlas and poison fault tests; every figure they report is read here.
 */

export const MIN = 60_000;
const yamlPath = fileURLToPath(new URL('../../services/atlas-sim/scenarios/load-3x3.yaml', import.meta.url));
const baseYaml = readFileSync(yamlPath, 'utf8');
/** Scenario start; the traffic runs one hour from here. */
export const START = Date.parse(/^start:\s*(\S+)/m.exec(baseYaml)?.[1] ?? '');
export const END = START + 60 * MIN;
export const SCENARIO = `${baseYaml}\nend: ${new Date(END).toISOString()}\n`;
/** The project ingested (three hosts of one replica set, ClusterA). */
export const PROJECT = '61000000000000000000a00a';
/** Timed streams of the project: 3 audit hosts, 1 access cluster, 1 project activity feed. */
const TIMED_STREAMS = 5;

/** Hostname of the project's `index`-th process. */
export function hostOf(world: World, index: number): string {
  return world.projects.find((p) => p.id === PROJECT)?.processes[index]?.hostname ?? '';
}

export type ParsedEvent = { id: string; dataset: string; host: string | undefined };

export type RunOptions = {
  name: string;
  /** Simulated clock: where it starts and how fast it runs (ingest's clock follows it). */
  clock: { startAt: number; speed: number };
  /** Fault switches set before the worker starts (given the world, to name its hosts). */
  faults?: (world: World) => FaultSpec[];
  lateLines?: LateLines;
  /** Extra ingest environment (window sizes, timeouts). */
  env?: Record<string, string>;
  /** Ingest YAML config (ATLAS_AUDIT_CONFIG), for settings without an env variable. */
  configYaml?: string;
};

export type AtlasIngestRun = {
  sim: RunningSim;
  ingest: ServiceProcess;
  /** Real ms at which the worker was spawned. */
  startedAtMs: number;
  /** Every data event read so far (coverage and posture left out), in topic order. */
  events(): ParsedEvent[];
  /** Coverage records read so far: windows per action (`window-fetched`, …) and the events they counted. */
  coverage(): { windows: Record<string, number>; events: number };
  /** Every dead-letter record read so far. */
  dlq(): DlqRecord[];
  /** Resolves with the real ms at which every timed stream's committed cursor (Kafka checkpoint log) was at or past `cursorMs`. */
  waitCheckpointsPast(cursorMs: number, timeoutMs: number): Promise<number>;
  /** Resolves with the real ms at which `ids` were all read from the events topic. */
  waitForIds(ids: ReadonlySet<string>, timeoutMs: number): Promise<number>;
  /** Waits until no data event or dead letter has arrived for a while (so a late duplicate would be counted). */
  settle(): Promise<void>;
  close(): Promise<void>;
};

/** Lost (expected, never read), duplicated (read more than once) and unexpected (read, never expected) among `ids`. */
export function countAgainst(expected: ReadonlySet<string>, ids: readonly string[]): { lost: number; duplicated: number; unexpected: number } {
  const seen = new Map<string, number>();
  for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
  let lost = 0;
  for (const id of expected) if (!seen.has(id)) lost += 1;
  let duplicated = 0;
  let unexpected = 0;
  for (const [id, n] of seen) {
    duplicated += n - 1;
    if (!expected.has(id)) unexpected += 1;
  }
  return { lost, duplicated, unexpected };
}

/** Starts the simulator, the topics and the worker; see AtlasIngestRun. */
export async function startAtlasIngestRun(options: RunOptions): Promise<AtlasIngestRun> {
  const suffix = uniqueSuffix();
  const tag = `ft-${options.name}-${suffix}`;
  const topics = { events: `${tag}-events`, dlq: `${tag}-dlq`, checkpoints: `${tag}-cp` };
  const database = `ft_${options.name.replaceAll('-', '_')}_${suffix}`;
  const admin = await createAdmin({ brokers: [...endpoints.kafkaBrokers], clientId: tag, ssl: false });
  await admin.createTopics([{ topic: topics.events, partitions: 3 }, { topic: topics.dlq, partitions: 1 }]);
  const mongo = new MongoClient(endpoints.mongodbUri);
  await mongo.connect();
  const sim = await startAtlasSim({
    scenario: SCENARIO,
    apiKeys: { ftpub: 'ft-private-key' },
    clock: { mode: 'offset', startAt: options.clock.startAt, speed: options.clock.speed },
    realNow: Date.now,
    ...(options.lateLines === undefined ? {} : { lateLines: options.lateLines }),
  });
  for (const fault of options.faults?.(sim.control.world) ?? []) sim.control.addFault(fault);
  const reader = await collectTopic(topics.events);
  const dlqReader = await collectTopic(topics.dlq);
  const configEnv: Record<string, string> = {};
  if (options.configYaml !== undefined) {
    const file = join(mkdtempSync(join(tmpdir(), 'ft-ingest-')), 'ingest.yaml');
    writeFileSync(file, options.configYaml);
    configEnv['ATLAS_AUDIT_CONFIG'] = file;
  }
  // The worker's clock is the simulator's: the same instant at the same real time, the same speed.
  const anchorRealMs = Date.now();
  const anchorMs = sim.control.now();
  const startedAtMs = Date.now();
  const ingest = startService(
    'ingest',
    {
      KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
      MONGODB_URI: endpoints.mongodbUri,
      MONGODB_DATABASE: database,
      ATLAS_BASE_URL: sim.url,
      ATLAS_PUBLIC_KEY: 'ftpub',
      ATLAS_PRIVATE_KEY: 'ft-private-key',
      ATLAS_PROJECT_IDS: PROJECT,
      INGEST_START_AT: new Date(START).toISOString(),
      INGEST_CLOCK_ANCHOR_MS: String(anchorMs),
      INGEST_CLOCK_ANCHOR_REAL_MS: String(anchorRealMs),
      INGEST_CLOCK_SPEED: String(options.clock.speed),
      INGEST_AUDIT_INTERVAL_MS: String(MIN),
      INGEST_AUDIT_LAG_MS: String(5 * MIN),
      INGEST_AUDIT_OVERLAP_MS: String(10 * MIN),
      INGEST_AUDIT_MAX_WINDOW_MS: String(15 * MIN),
      // Short intervals: a source counts as caught up with a backlog under half its maximum window.
      INGEST_ACCESS_INTERVAL_MS: '5000',
      INGEST_EVENTS_INTERVAL_MS: '5000',
      INGEST_RETRY_BASE_MS: '1000',
      INGEST_RETRY_MAX_MS: '4000',
      TOPIC_EVENTS: topics.events,
      TOPIC_DLQ: topics.dlq,
      TOPIC_INGEST_CHECKPOINTS: topics.checkpoints,
      INGEST_TRANSACTIONAL_ID_PREFIX: tag,
      ...configEnv,
      ...options.env,
    },
    `fault-ingest-${options.name}`,
  );

  let checkpointReader: Awaited<ReturnType<typeof collectTopic>> | undefined;
  const parsed: ParsedEvent[] = [];
  const windows: Record<string, number> = {};
  let counted = 0;
  let parsedUpTo = 0;
  const events = (): ParsedEvent[] => {
    for (; parsedUpTo < reader.messages.length; parsedUpTo += 1) {
      const doc = JSON.parse(String(reader.messages[parsedUpTo]?.value)) as { event: { id: string; dataset: string; action: string; reason?: string }; host?: { name?: string } };
      if (doc.event.dataset === 'atlas.pipeline') {
        windows[doc.event.action] = (windows[doc.event.action] ?? 0) + 1;
        counted += Number(/ events=(\d+)/.exec(doc.event.reason ?? '')?.[1] ?? 0);
      }
      if (doc.event.dataset === 'atlas.pipeline' || doc.event.dataset === 'atlas.posture') continue;
      parsed.push({ id: doc.event.id, dataset: doc.event.dataset, host: doc.host?.name });
    }
    return parsed;
  };
  const dlq = (): DlqRecord[] => dlqReader.messages.map((m) => dlqRecordSchema.parse(JSON.parse(String(m.value))));

  return {
    sim,
    ingest,
    startedAtMs,
    events,
    coverage: () => {
      events();
      return { windows: { ...windows }, events: counted };
    },
    dlq,
    waitCheckpointsPast: async (cursorMs, timeoutMs) => {
      // The checkpoint log in Kafka (committed with the events), not the MongoDB copy, which a
      // FerretDB restart by another test can leave behind for a while.
      await ingest.waitForLog('ingest started', 60_000);
      checkpointReader ??= await collectTopic(topics.checkpoints);
      const reader = checkpointReader;
      return waitFor(
        async () => {
          const cursors = new Map<string, number>();
          for (const m of reader.messages) if (m.key !== null && m.value !== null && m.value.length > 0 && !m.key.startsWith('posture')) cursors.set(m.key, (JSON.parse(String(m.value)) as { cursorMs: number }).cursorMs);
          return cursors.size >= TIMED_STREAMS && [...cursors.values()].every((cursor) => cursor >= cursorMs) ? Date.now() : undefined;
        },
        timeoutMs,
        `every stream's checkpoint past ${new Date(cursorMs).toISOString()} in ${topics.checkpoints} (log: test-output/fault-ingest-${options.name}.log)`,
        200,
      );
    },
    waitForIds: (ids, timeoutMs) =>
      waitFor(
        async () => {
          const have = new Set(events().map((e) => e.id));
          for (const id of ids) if (!have.has(id)) return undefined;
          return Date.now();
        },
        timeoutMs,
        `${ids.size} expected events in ${topics.events}`,
        200,
      ),
    settle: async () => {
      let last = -1;
      await waitFor(
        async () => {
          // Data and dead letters only: coverage records keep coming while the worker polls.
          const now = events().length + dlqReader.messages.length;
          const stable = now === last;
          last = now;
          return stable ? true : undefined;
        },
        60_000,
        'the topics to settle',
        1_500,
      );
    },
    close: async () => {
      await ingest.stop('SIGTERM').catch(() => undefined);
      await reader.close().catch(() => undefined);
      await dlqReader.close().catch(() => undefined);
      await checkpointReader?.close().catch(() => undefined);
      await sim.close().catch(() => undefined);
      await admin.deleteTopics([topics.events, topics.dlq, topics.checkpoints]).catch(() => undefined);
      await admin.close().catch(() => undefined);
      await mongo.db(database).dropDatabase().catch(() => undefined);
      await mongo.close().catch(() => undefined);
    },
  };
}
