// The indexer service. Reads: environment (see config.ts) and the optional ATLAS_AUDIT_CONFIG
// file; Kafka topics atlas.events.v1, atlas.alerts.v1 and atlas.dlq.v1 (consumer group).
// Writes: Elasticsearch (templates, then documents), dead-letter records to atlas.dlq.v1, and
// /metrics, /healthz, /readyz over HTTP. Exits 0 after a SIGTERM drain.
import { loadConfig } from '@atlas-audit/shared/config';
import { createLogger, logProcessWarnings } from '@atlas-audit/shared/logger';
import { createAdmin, createConsumer, createProducer } from '@atlas-audit/shared/kafka-client';
import { createSearchStore } from '@atlas-audit/shared/elasticsearch';
import { withRetry } from '@atlas-audit/shared/retry';
import { startServiceHttp } from '@atlas-audit/shared/service-http';
import { onShutdown } from '@atlas-audit/shared/shutdown';
import { indexLayout } from '@atlas-audit/shared/es/index-names';
import { installTemplates } from '@atlas-audit/shared/es/install-templates';
import { schemaMappings } from '@atlas-audit/shared/es/mappings';
import { templatesFor } from '@atlas-audit/shared/es/templates';
import { indexerConfigSchema, indexerEnvBindings } from './config.ts';
import { createIndexerMetrics } from './metrics.ts';
import { createIndexer } from './run.ts';
import { createSendBulk } from './send-bulk.ts';

async function main(): Promise<void> {
  const config = loadConfig(indexerConfigSchema, indexerEnvBindings);
  const log = createLogger({ name: 'indexer', level: config.log.level });
  logProcessWarnings(log);
  const settings = config.indexer;
  const layout = indexLayout(settings.namespace);
  const store = createSearchStore(config.elasticsearch);
  const abort = new AbortController();

  // Templates first: a document must never create an index with a dynamic mapping.
  const report = await withRetry(() => installTemplates(store.client, templatesFor(layout, schemaMappings())), {
    attempts: 30,
    baseDelayMs: 500,
    maxDelayMs: 5_000,
    onRetry: (err, attempt) => log.warn({ err, attempt }, 'elasticsearch not ready for templates, retrying'),
  });
  log.info({ created: report.created, updated: report.updated, unchanged: report.unchanged.length }, 'templates installed');

  const admin = await createAdmin(config.kafka);
  const producer = await createProducer(config.kafka);
  const consumer = await createConsumer(config.kafka, settings.groupId, { maxBytesPerPartition: settings.maxBytesPerPartition });
  const http = await startServiceHttp({
    service: 'indexer',
    host: config.http.host,
    port: config.http.port,
    checks: [
      { name: 'elasticsearch', check: () => store.health() },
      { name: 'kafka', check: () => admin.health() },
    ],
  });
  const metrics = createIndexerMetrics(http.registry);
  const indexer = createIndexer({
    consumer,
    producer,
    sendBulk: createSendBulk(store.client, metrics),
    layout,
    topics: { events: settings.eventsTopic, alerts: settings.alertsTopic, dlq: settings.dlqTopic, indexDlq: settings.indexDlq },
    limits: { maxDocs: settings.maxDocs, maxBytes: settings.maxBytes, flushMs: settings.flushMs, maxInFlight: settings.maxInFlight, maxPendingDocs: settings.maxPendingDocs, partitionsConcurrently: settings.partitionsConcurrently },
    metrics,
    log,
    signal: abort.signal,
    now: () => new Date(),
    probe: () => store.health(),
  });
  await indexer.start(settings.fromBeginning);
  log.info({ url: http.url, namespace: layout.namespace, groupId: settings.groupId }, 'indexer started');

  onShutdown(
    log,
    async () => {
      http.setDraining();
      // Retries stop at the drain deadline; an unsettled batch is then simply not committed.
      const deadline = setTimeout(() => abort.abort(new Error('drain deadline')), settings.drainTimeoutMs);
      deadline.unref();
      await consumer.close();
      clearTimeout(deadline);
      await producer.close();
      await admin.close();
      await store.close();
      await http.close();
    },
    settings.drainTimeoutMs + 5_000,
  );
}

main().catch((err: unknown) => {
  const log = createLogger({ name: 'indexer', level: 'error' });
  log.fatal({ err }, 'indexer failed to start');
  process.exit(1);
});
