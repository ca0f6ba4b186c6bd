// The ingest worker. Reads: environment (and ATLAS_AUDIT_CONFIG), the Atlas Admin API at
// ATLAS_BASE_URL, the Kafka checkpoint log. Writes: atlas.events.v1, atlas.dlq.v1 and the
// checkpoint log in Kafka transactions, checkpoint copies to MongoDB, /metrics /healthz /readyz.
import { loadConfig, secretPaths } from '@atlas-audit/shared/config';
import { createLogger, logProcessWarnings } from '@atlas-audit/shared/logger';
import { createStateStore } from '@atlas-audit/shared/mongo';
import { startServiceHttp } from '@atlas-audit/shared/service-http';
import { onShutdown } from '@atlas-audit/shared/shutdown';
import { ingestConfigSchema, ingestEnvBindings, type IngestConfig } from './config.ts';
import { createDigestAuth, createOAuth, oauthTokenFetcher, type AtlasAuth } from './atlas/auth.ts';
import { createAtlasHttpClient, type EndpointFamily, type FamilyLimits } from './atlas/http-client.ts';
import { createAtlasApi } from './atlas/api.ts';
import { createTxKafka } from './kafka-tx.ts';
import { createMongoCheckpoints } from './mongo-checkpoints.ts';
import { createIngestMetrics } from './metrics.ts';
import { startIngest } from './run.ts';
import type { Checkpoint } from './core/checkpoint.ts';
import type { Clock } from './ports.ts';

function authOf(config: IngestConfig): AtlasAuth {
  const { publicKey, privateKey, clientId, clientSecret } = config.atlas;
  if (publicKey !== undefined && privateKey !== undefined) return createDigestAuth(publicKey, privateKey);
  return createOAuth(clientId ?? '', clientSecret ?? '', oauthTokenFetcher(config.atlas.baseUrl, config.atlas.requestTimeoutMs), { renewBeforeMs: config.atlas.tokenRenewBeforeMs, now: Date.now });
}

function clockOf(config: IngestConfig): Clock {
  const { anchorMs, anchorRealMs, speed } = config.ingest.clock;
  if (anchorMs === undefined || anchorRealMs === undefined) return speed === 1 ? { nowMs: Date.now } : { nowMs: () => Date.now(), speed };
  return { nowMs: () => Math.floor(anchorMs + (Date.now() - anchorRealMs) * speed), speed };
}

async function main(): Promise<void> {
  let config: IngestConfig;
  try {
    config = loadConfig(ingestConfigSchema, ingestEnvBindings);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const log = createLogger({ name: 'ingest', level: config.log.level });
  logProcessWarnings(log);
  log.debug({ secretPaths: secretPaths(ingestEnvBindings) }, 'config loaded');
  const abort = new AbortController();
  const transactionalId = `${config.transactionalIdPrefix}-${config.ingest.replicaIndex}-of-${config.ingest.replicaCount}`;

  const store = await createStateStore(config.mongodb);
  const mongoCheckpoints = createMongoCheckpoints(store.db);
  await mongoCheckpoints.ensureIndexes();
  const kafka = await createTxKafka(config.kafka, config.topics, transactionalId);
  await kafka.ensureCheckpointTopic();

  const ref: { handle?: ReturnType<typeof startIngest> } = {};
  const http = await startServiceHttp({
    service: 'ingest',
    host: config.http.host,
    port: config.http.port,
    checks: [
      { name: 'kafka', check: () => kafka.health() },
      { name: 'mongodb', check: () => store.health() },
      { name: 'ingest', check: async () => { if (ref.handle?.isReady() !== true) throw new Error('not ready'); } },
    ],
  });
  const clock = clockOf(config);
  const metrics = createIngestMetrics(http.registry, clock.nowMs);
  const limits = { ...config.atlas.limits } as Record<EndpointFamily, FamilyLimits>;
  const client = createAtlasHttpClient({
    baseUrl: config.atlas.baseUrl,
    auth: authOf(config),
    limits,
    timeoutMs: config.atlas.requestTimeoutMs,
    retry: { attempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 },
    signal: abort.signal,
    onResponse: (family, status, elapsedMs) => metrics.httpResponse(family, status, elapsedMs),
    onRetry: (family, code, attempt, delayMs) => {
      metrics.httpRetry(family, code);
      log.debug({ family, code, attempt, delayMs }, 'atlas request retried');
    },
  });
  const api = createAtlasApi(client, { itemsPerPage: config.atlas.itemsPerPage, maxPages: 10_000 });

  const handle = startIngest(
    config,
    {
      atlas: api,
      sink: kafka,
      checkpoints: {
        async restore() {
          const [fromKafka, fromMongo] = await Promise.all([kafka.restoreCheckpoints(), mongoCheckpoints.loadAll()]);
          const merged = new Map<string, Checkpoint>(fromMongo);
          // Kafka's log is committed atomically with the events: it wins wherever it has the key.
          for (const [key, cp] of fromKafka) merged.set(key, cp);
          return merged;
        },
        mirror: (checkpoints) => mongoCheckpoints.mirror(checkpoints),
      },
      clock,
      observer: metrics,
      log,
    },
    abort.signal,
  );
  ref.handle = handle;
  log.info({ url: http.url, transactionalId, projects: config.atlas.projectIds.length, orgs: config.atlas.orgIds.length }, 'ingest started');

  const closeAll = async (): Promise<void> => {
    await kafka.close();
    await store.close();
    await http.close();
  };
  onShutdown(log, async () => {
    http.setDraining();
    abort.abort(new Error('shutdown'));
    await handle.done;
    await closeAll();
  });
  handle.done.catch(async (err: unknown) => {
    log.fatal({ err }, 'ingest loop failed');
    await closeAll().catch(() => undefined);
    process.exit(1);
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`ingest failed to start: ${err instanceof Error ? `${err.name}: ${err.message}` : 'unknown error'}\n`);
  process.exit(1);
});
