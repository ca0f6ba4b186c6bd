import { z } from 'zod';
import { boolFromEnv, commonEnvBindings, elasticsearchConfigSchema, httpConfigSchema, intFromEnv, kafkaConfigSchema, logConfigSchema, type EnvBinding } from '@atlas-audit/shared/config';

/** The indexer's whole configuration (environment over the optional YAML file). */
export const indexerConfigSchema = z.object({
  kafka: kafkaConfigSchema,
  elasticsearch: elasticsearchConfigSchema,
  log: logConfigSchema,
  http: httpConfigSchema,
  indexer: z
    .object({
      groupId: z.string().min(1).default('atlas-audit-indexer'),
      eventsTopic: z.string().min(1).default('atlas.events.v1'),
      alertsTopic: z.string().min(1).default('atlas.alerts.v1'),
      dlqTopic: z.string().min(1).default('atlas.dlq.v1'),
      /** Also index the dead-letter topic, so DLQ counts and reasons are visible in Kibana. */
      indexDlq: boolFromEnv.default(true),
      namespace: z.string().regex(/^[a-z0-9_]{1,40}$/, 'must match [a-z0-9_]{1,40}').default('default'),
      maxDocs: intFromEnv(1, 100_000).default(5_000),
      maxBytes: intFromEnv(1_024, 100 * 1_048_576).default(5 * 1_048_576),
      flushMs: intFromEnv(1, 250).default(50),
      maxInFlight: intFromEnv(1, 16).default(2),
      maxPendingDocs: intFromEnv(1, 1_000_000).default(20_000),
      partitionsConcurrently: intFromEnv(1, 256).default(8),
      maxBytesPerPartition: intFromEnv(1_024, 50 * 1_048_576).default(4 * 1_048_576),
      drainTimeoutMs: intFromEnv(100, 120_000).default(15_000),
      fromBeginning: boolFromEnv.default(true),
    })
    .prefault({}),
});

export type IndexerConfig = z.output<typeof indexerConfigSchema>;

export const indexerEnvBindings: readonly EnvBinding[] = [
  ...commonEnvBindings,
  { path: 'indexer.groupId', env: 'INDEXER_GROUP_ID' },
  { path: 'indexer.eventsTopic', env: 'KAFKA_TOPIC_EVENTS' },
  { path: 'indexer.alertsTopic', env: 'KAFKA_TOPIC_ALERTS' },
  { path: 'indexer.dlqTopic', env: 'KAFKA_TOPIC_DLQ' },
  { path: 'indexer.indexDlq', env: 'INDEXER_INDEX_DLQ' },
  { path: 'indexer.namespace', env: 'ELASTICSEARCH_NAMESPACE' },
  { path: 'indexer.maxDocs', env: 'INDEXER_MAX_DOCS' },
  { path: 'indexer.maxBytes', env: 'INDEXER_MAX_BYTES' },
  { path: 'indexer.flushMs', env: 'INDEXER_FLUSH_MS' },
  { path: 'indexer.maxInFlight', env: 'INDEXER_MAX_IN_FLIGHT' },
  { path: 'indexer.maxPendingDocs', env: 'INDEXER_MAX_PENDING_DOCS' },
  { path: 'indexer.partitionsConcurrently', env: 'INDEXER_PARTITIONS_CONCURRENTLY' },
  { path: 'indexer.maxBytesPerPartition', env: 'INDEXER_MAX_BYTES_PER_PARTITION' },
  { path: 'indexer.drainTimeoutMs', env: 'INDEXER_DRAIN_TIMEOUT_MS' },
  { path: 'indexer.fromBeginning', env: 'INDEXER_FROM_BEGINNING' },
];
