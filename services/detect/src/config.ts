import { z } from 'zod';
import { boolFromEnv, commonEnvBindings, httpConfigSchema, intFromEnv, kafkaConfigSchema, logConfigSchema, mongodbConfigSchema, type EnvBinding } from '@atlas-audit/shared/config';

/** The detect service's configuration (environment over the optional YAML file). The rules live in their own file. */
export const detectConfigSchema = z.object({
  kafka: kafkaConfigSchema,
  mongodb: mongodbConfigSchema,
  log: logConfigSchema,
  http: httpConfigSchema,
  detect: z
    .object({
      groupId: z.string().min(1).default('atlas-audit-detect'),
      eventsTopic: z.string().min(1).default('atlas.events.v1'),
      alertsTopic: z.string().min(1).default('atlas.alerts.v1'),
      dlqTopic: z.string().min(1).default('atlas.dlq.v1'),
      /** Path of the rules YAML; absent = built-in defaults. */
      rulesFile: z.string().min(1).optional(),
      /** MongoDB collection holding rule state, one document per (partition, namespace, key). */
      stateCollection: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be a collection name').default('detect_state'),
      sessionTimeoutMs: intFromEnv(3_000, 300_000).default(10_000),
      maxBytesPerPartition: intFromEnv(1_024, 50 * 1_048_576).default(1_048_576),
      drainTimeoutMs: intFromEnv(100, 120_000).default(15_000),
      fromBeginning: boolFromEnv.default(true),
    })
    .prefault({}),
});

export type DetectConfig = z.output<typeof detectConfigSchema>;

export const detectEnvBindings: readonly EnvBinding[] = [
  ...commonEnvBindings,
  { path: 'detect.groupId', env: 'DETECT_GROUP_ID' },
  { path: 'detect.eventsTopic', env: 'KAFKA_TOPIC_EVENTS' },
  { path: 'detect.alertsTopic', env: 'KAFKA_TOPIC_ALERTS' },
  { path: 'detect.dlqTopic', env: 'KAFKA_TOPIC_DLQ' },
  { path: 'detect.rulesFile', env: 'DETECT_RULES_FILE' },
  { path: 'detect.stateCollection', env: 'DETECT_STATE_COLLECTION' },
  { path: 'detect.sessionTimeoutMs', env: 'DETECT_SESSION_TIMEOUT_MS' },
  { path: 'detect.maxBytesPerPartition', env: 'DETECT_MAX_BYTES_PER_PARTITION' },
  { path: 'detect.drainTimeoutMs', env: 'DETECT_DRAIN_TIMEOUT_MS' },
  { path: 'detect.fromBeginning', env: 'DETECT_FROM_BEGINNING' },
];
