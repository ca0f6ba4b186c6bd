import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { pino } from 'pino';
import { startAtlasSim, type RunningSim } from '@atlas-audit/atlas-sim/server';
import { createAdmin } from '@atlas-audit/shared/kafka';
import { createOccurrenceCounter } from '@atlas-audit/shared/core/event-id';
import { createAuditNormaliser } from '@atlas-audit/shared/core/normalise/audit';
import { linesForWindow, lineBytes } from '@atlas-audit/atlas-sim/core/host-chunk';
import { endpoints, uniqueSuffix, waitFor } from '@atlas-audit/test/env';
import { createDigestAuth, createOAuth, oauthTokenFetcher, type AtlasAuth } from '../../services/ingest/src/atlas/auth.ts';
import { createAtlasHttpClient, type EndpointFamily, type FamilyLimits } from '../../services/ingest/src/atlas/http-client.ts';
import { createAtlasApi } from '../../services/ingest/src/atlas/api.ts';
import { ingestConfigSchema } from '../../services/ingest/src/config.ts';
import { createTxKafka } from '../../services/ingest/src/kafka-tx.ts';
import { createMongoCheckpoints } from '../../services/ingest/src/mongo-checkpoints.ts';
import { startIngest } from '../../services/ingest/src/run.ts';
import type { CoverageRecord } from '../../services/ingest/src/core/coverage.ts';
import { collectTopic, spawnIngest } from './ingest-harness.ts';

/**
 * The ingest worker's Atlas client against the simulator: Digest and OAuth both work, an
 * expired token is renewed, 429 Retry-After is honoured (no request to that endpoint before
 * the time), and a host answering 500 for a while is caught up afterwards, not skipped.
 */

const MIN = 60_000;
const yamlPath = fileURLToPath(new URL('../../services/atlas-sim/scenarios/load-3x3.yaml', import.meta.url));
const baseYaml = readFileSync(yamlPath, 'utf8');
const START = Date.parse(/^start:\s*(\S+)/m.exec(baseYaml)?.[1] ?? '');
const END = START + 2 * 60 * MIN;
const yaml = `${baseYaml}\nend: ${new Date(END).toISOString()}\n`;
const PROJECT = '61000000000000000000a00a';
const limit: FamilyLimits = { concurrency: 1, intervalCap: 1000, intervalMs: 1000 };
const limits = Object.fromEntries(['processes', 'clusters', 'groups', 'logs', 'accessHistory', 'events', 'orgEvents', 'posture'].map((f) => [f, limit])) as Record<EndpointFamily, FamilyLimits>;

function apiWith(sim: RunningSim, auth: AtlasAuth, extra: Partial<Parameters<typeof createAtlasHttpClient>[0]> = {}) {
  const http = createAtlasHttpClient({ baseUrl: sim.url, auth, limits, timeoutMs: 10_000, retry: { attempts: 8, baseDelayMs: 50, maxDelayMs: 500 }, ...extra });
  return createAtlasApi(http, { itemsPerPage: 2, maxPages: 100 });
}

async function withSim<T>(options: Partial<Parameters<typeof startAtlasSim>[0]>, fn: (sim: RunningSim) => Promise<T>): Promise<T> {
  const sim = await startAtlasSim({ scenario: yaml, apiKeys: { itpub: 'it-private' }, serviceAccounts: { mdb_sa_id_it: 'it-sa-secret' }, clock: { mode: 'offset', startAt: END + 20 * MIN, speed: 0 }, ...options });
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}

test('Digest auth: one challenge, then the nonce is reused; a stale nonce is re-challenged transparently; paging follows links', async () => {
  await withSim({ nonceTtlMs: 300 }, async (sim) => {
    const api = apiWith(sim, createDigestAuth('itpub', 'it-private'));
    const processes = await api.listProcesses(PROJECT);
    assert.equal(processes.length, 3, 'three hosts over two pages of itemsPerPage=2');
    await new Promise((r) => setTimeout(r, 400));
    assert.deepEqual(await api.listClusters(PROJECT), ['ClusterA']);
    const statuses = sim.control.requests().map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 401).length, 2, 'the first challenge and the stale-nonce challenge, nothing else');
    assert.ok(sim.control.requests().filter((r) => r.status === 200).every((r) => r.auth === 'digest'));
  });
});

test('Digest with a wrong private key fails with ATLAS_AUTH_FAILED and the key never appears in the error', async () => {
  await withSim({}, async (sim) => {
    const api = apiWith(sim, createDigestAuth('itpub', 'not-the-key'));
    await assert.rejects(api.listProcesses(PROJECT), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ATLAS_AUTH_FAILED');
      assert.ok(!JSON.stringify({ message: err.message, details: (err as { details?: unknown }).details }).includes('not-the-key'));
      return true;
    });
  });
});

test('OAuth service account: the Bearer token is cached, renewed before expiry, and renewed after a 401', async () => {
  await withSim({ tokenTtlSeconds: 2 }, async (sim) => {
    let skewMs = 0;
    const auth = createOAuth('mdb_sa_id_it', 'it-sa-secret', oauthTokenFetcher(sim.url, 5_000), { renewBeforeMs: 500, now: () => Date.now() - skewMs });
    const api = apiWith(sim, auth);
    assert.equal((await api.listProcesses(PROJECT)).length, 3);
    assert.equal((await api.listClusters(PROJECT))?.length, 1);
    assert.equal(auth.tokenRequests(), 1, 'one token for several requests');
    await new Promise((r) => setTimeout(r, 1_700));
    assert.equal((await api.listProcesses(PROJECT)).length, 3);
    assert.equal(auth.tokenRequests(), 2, 'renewed before expiry');
    // A client whose clock runs behind thinks its token is still valid: the 401 renews it.
    skewMs = 10_000;
    await new Promise((r) => setTimeout(r, 2_100));
    assert.equal((await api.listProcesses(PROJECT)).length, 3);
    assert.equal(auth.tokenRequests(), 3, 'renewed after the 401');
    assert.equal(sim.control.requests({ endpoint: 'processes', status: 401 }).length, 1, 'the expired token was rejected once');
  });
});

test('429 with Retry-After is honoured: no request to that endpoint before the time has passed', { timeout: 60_000 }, async () => {
  await withSim({ rateLimits: { logs: { capacity: 2, refillRate: 1, refillDurationSeconds: 2 } } }, async (sim) => {
    const limited: Array<{ atMs: number; retryAfterMs: number }> = [];
    const api = apiWith(sim, createDigestAuth('itpub', 'it-private'), { onRateLimited: (_f, _s, retryAfterMs) => limited.push({ atMs: Date.now(), retryAfterMs }) });
    const host = (await api.listProcesses(PROJECT))[0]?.hostname ?? '';
    sim.control.clearRequests();
    for (let i = 0; i < 6; i += 1) await api.downloadLog(PROJECT, host, 'mongodb-audit-log', START / 1000 + i * 600, START / 1000 + (i + 1) * 600);
    const logs = sim.control.requests({ endpoint: 'logs' }).sort((a, b) => a.atMs - b.atMs);
    const rejected = logs.filter((r) => r.status === 429);
    assert.ok(rejected.length >= 2, `the bucket did run dry (${rejected.length} × 429)`);
    assert.equal(logs.filter((r) => r.status === 200).length, 6, 'every download eventually succeeded');
    assert.equal(limited.length, rejected.length);
    for (const [i, r] of rejected.entries()) {
      const retryAfterMs = limited[i]?.retryAfterMs ?? 0;
      assert.ok(retryAfterMs >= 1000, 'Retry-After was read from the response');
      const next = logs.find((x) => x.atMs > r.atMs);
      assert.ok(next !== undefined);
      assert.ok(next.atMs - r.atMs >= retryAfterMs, `next request ${next.atMs - r.atMs} ms after the 429, Retry-After ${retryAfterMs} ms`);
    }
  });
});

test('a host answering 500 for a while is caught up afterwards: its lines all reach Kafka once, the failures are coverage records', { timeout: 180_000 }, async () => {
  // The simulated clock runs at real speed so that retry backoff (simulated time) elapses.
  await withSim({ clock: { mode: 'offset', startAt: END + 20 * MIN, speed: 1 } }, async (sim) => {
    const suffix = uniqueSuffix();
    const topics = { events: `it-ingest500-events-${suffix}`, dlq: `it-ingest500-dlq-${suffix}`, checkpoints: `it-ingest500-cp-${suffix}` };
    const admin = await createAdmin({ brokers: [...endpoints.kafkaBrokers], clientId: 'it-ingest500', ssl: false });
    await admin.createTopics([{ topic: topics.events, partitions: 3 }, { topic: topics.dlq, partitions: 1 }]);
    const mongo = new MongoClient(endpoints.mongodbUri);
    await mongo.connect();
    const database = `it_ingest500_${suffix}`;
    const kafka = await createTxKafka({ brokers: [...endpoints.kafkaBrokers], clientId: 'it-ingest500', ssl: false }, topics, `it-ingest500-${suffix}`);
    await kafka.ensureCheckpointTopic();
    const mirror = createMongoCheckpoints(mongo.db(database));
    await mirror.ensureIndexes();
    const reader = await collectTopic(topics.events);
    const failing = sim.control.world.projects[0]?.processes[1]?.hostname ?? '';
    sim.control.addFault({ kind: 'http-error', status: 500, endpoint: 'logs', host: failing, untilMs: Date.now() + 8_000 });
    const config = ingestConfigSchema.parse({
      atlas: { baseUrl: sim.url, publicKey: 'itpub', privateKey: 'it-private', projectIds: [PROJECT] },
      ingest: { startAt: new Date(START).toISOString(), sources: ['audit'], audit: { intervalMs: MIN, lagMs: 5 * MIN, overlapMs: 10 * MIN, maxWindowMs: 15 * MIN }, retryBaseMs: 1_000, retryMaxMs: 3_000 },
      kafka: { brokers: [...endpoints.kafkaBrokers] },
      mongodb: { uri: endpoints.mongodbUri },
    });
    const coverage: CoverageRecord[] = [];
    const abort = new AbortController();
    const api = apiWith(sim, createDigestAuth('itpub', 'it-private'), { retry: { attempts: 2, baseDelayMs: 50, maxDelayMs: 100 } });
    const handle = startIngest(config, {
      atlas: api,
      sink: kafka,
      checkpoints: { restore: () => kafka.restoreCheckpoints(), mirror: (cps) => mirror.mirror(cps) },
      clock: { nowMs: () => sim.control.now() },
      observer: { coverage: (r) => coverage.push(r), committed: () => undefined, streams: () => undefined },
      log: pino({ level: 'silent' }),
    }, abort.signal);
    try {
      const normalise = createAuditNormaliser({ project: PROJECT, host: failing, logName: 'mongodb-audit-log' });
      const counter = createOccurrenceCounter();
      const want = new Set<string>();
      for (const line of linesForWindow(sim.control.world, PROJECT, failing, 'mongodb-audit-log', START, END, END + 20 * MIN)) {
        const bytes = lineBytes(line);
        const result = normalise(bytes, counter.next(bytes));
        if (result.ok) want.add(result.value.event.id);
      }
      assert.ok(want.size > 1000);
      const idsOfHost = (): string[] => reader.messages.map((m) => JSON.parse(String(m.value)) as { event: { id: string; dataset: string }; host?: { name: string } }).filter((e) => e.event.dataset === 'atlas.audit' && e.host?.name === failing).map((e) => e.event.id);
      await waitFor(async () => (new Set(idsOfHost()).size >= want.size ? true : undefined), 120_000, `${want.size} events of the failing host`, 250).catch((err: unknown) => {
        throw new Error(`${String(err)}; got ${new Set(idsOfHost()).size}; coverage ${JSON.stringify(coverage.map((r) => [r.stream.key.slice(-30), r.status, r.window.startMs]).slice(-20))}`);
      });
      const ids = idsOfHost();
      assert.deepEqual(new Set(ids), want, 'every line of the failing host, nothing else');
      assert.equal(ids.length, want.size, 'each once');
      const failed = coverage.filter((r) => r.status === 'failed' && r.stream.kind === 'audit' && r.stream.host === failing);
      assert.ok(failed.length >= 1, 'the failed windows are visible as coverage');
      assert.ok(sim.control.requests({ endpoint: 'logs', host: failing, status: 500 }).length >= 1);
      const first = failed[0] as CoverageRecord;
      assert.ok(coverage.some((r) => r.status === 'fetched' && r.stream.key === first.stream.key && r.window.startMs <= first.window.startMs), 'the window that failed was fetched later');
    } finally {
      abort.abort();
      await handle.done;
      await reader.close();
      await kafka.close();
      await admin.deleteTopics([topics.events, topics.dlq, topics.checkpoints]).catch(() => undefined);
      await admin.close();
      await mongo.db(database).dropDatabase().catch(() => undefined);
      await mongo.close();
    }
  });
});

test('the worker process serves /healthz, /readyz and /metrics with coverage, and exits 0 on SIGTERM', { timeout: 120_000 }, async () => {
  await withSim({ clock: { mode: 'offset', startAt: END + 20 * MIN, speed: 1 } }, async (sim) => {
    const suffix = uniqueSuffix();
    const topics = { events: `it-ingestp-events-${suffix}`, dlq: `it-ingestp-dlq-${suffix}`, checkpoints: `it-ingestp-cp-${suffix}` };
    const admin = await createAdmin({ brokers: [...endpoints.kafkaBrokers], clientId: 'it-ingestp', ssl: false });
    await admin.createTopics([{ topic: topics.events, partitions: 2 }, { topic: topics.dlq, partitions: 1 }]);
    const logDir = fileURLToPath(new URL('../../test-output/', import.meta.url));
    mkdirSync(logDir, { recursive: true });
    const logFile = `${logDir}ingest-process-${suffix}.log`;
    const worker = spawnIngest(
      {
        ATLAS_BASE_URL: sim.url,
        ATLAS_CLIENT_ID: 'mdb_sa_id_it',
        ATLAS_CLIENT_SECRET: 'it-sa-secret',
        ATLAS_PROJECT_IDS: PROJECT,
        INGEST_START_AT: new Date(END - 30 * MIN).toISOString(),
        TOPIC_EVENTS: topics.events,
        TOPIC_DLQ: topics.dlq,
        TOPIC_INGEST_CHECKPOINTS: topics.checkpoints,
        INGEST_TRANSACTIONAL_ID_PREFIX: `it-ingestp-${suffix}`,
        MONGODB_DATABASE: `it_ingestp_${suffix}`,
        HTTP_PORT: '0',
      },
      logFile,
    );
    try {
      const url = await waitFor(async () => {
        const line = readFileSync(logFile, 'utf8').split('\n').find((l) => l.includes('"ingest started"'));
        return line === undefined ? undefined : (JSON.parse(line) as { url: string }).url;
      }, 60_000, 'the worker to start');
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      await waitFor(async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), 60_000, '/readyz 200');
      const metrics = await waitFor(async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        return /atlas_ingest_windows_total\{[^}]*status="fetched"[^}]*\} [1-9]/.test(text) ? text : undefined;
      }, 60_000, 'coverage in /metrics');
      assert.match(metrics, /atlas_ingest_checkpoint_age_seconds\{/);
      assert.match(metrics, /atlas_ingest_events_committed_total(\{[^}]*\})? [1-9]/);
      assert.ok(!readFileSync(logFile, 'utf8').includes('it-sa-secret'), 'the client secret is never logged');
      worker.child.kill('SIGTERM');
      const code = await Promise.race([worker.exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 30_000))]);
      assert.equal(code, 0, 'graceful exit within the deadline');
      assert.match(readFileSync(logFile, 'utf8'), /"shutdown complete"/);
    } finally {
      worker.child.kill('SIGKILL');
      await admin.deleteTopics([topics.events, topics.dlq, topics.checkpoints]).catch(() => undefined);
      await admin.close();
      const mongo = new MongoClient(endpoints.mongodbUri);
      await mongo.connect();
      await mongo.db(`it_ingestp_${suffix}`).dropDatabase().catch(() => undefined);
      await mongo.close();
    }
  });
});
