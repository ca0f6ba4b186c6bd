import { z } from 'zod';
import { boolFromEnv, commonEnvBindings, httpConfigSchema, intFromEnv, kafkaConfigSchema, logConfigSchema, mongodbConfigSchema, type EnvBinding } from '@atlas-audit/shared/config';

/**
 * The SIEM service's config. Sinks come from the YAML file (`siem.sinks`) or from SIEM_SINKS as a
 * JSON array; both may hold secrets (HEC token, HMAC secret), so SIEM_SINKS is a secret binding.
 */
const sinkName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be [a-z0-9_-], at most 40 characters');

const deliveryFields = {
  name: sinkName,
  /** Alerts waiting for this sink at most; beyond it alerts are parked in the retry topic at once. */
  queueMax: intFromEnv(1, 1_000_000).default(10_000),
  /** Alerts per request (HEC/webhook) or write (syslog). */
  batchMax: intFromEnv(1, 1_000).default(100),
  requestTimeoutMs: intFromEnv(100, 120_000).default(10_000),
  /** How long a batch is retried before it is parked in the retry topic. */
  parkAfterMs: intFromEnv(0, 600_000).default(30_000),
  retryBaseDelayMs: intFromEnv(1, 60_000).default(250),
  retryMaxDelayMs: intFromEnv(1, 600_000).default(10_000),
  /** Backoff of re-drives from the retry topic. */
  redriveBaseDelayMs: intFromEnv(0, 3_600_000).default(5_000),
  redriveMaxDelayMs: intFromEnv(1, 86_400_000).default(300_000),
};

const jsonFormat = z.enum(['alert', 'ocsf']).default('alert');

export const webhookSinkSchema = z.object({
  type: z.literal('webhook'),
  ...deliveryFields,
  url: z.url(),
  format: jsonFormat,
  hmacSecret: z.string().min(16, 'must be at least 16 characters').optional(),
  headers: z.record(z.string(), z.string()).default({}),
});

export const syslogSinkSchema = z.object({
  type: z.literal('syslog'),
  ...deliveryFields,
  host: z.string().min(1),
  port: intFromEnv(1, 65_535),
  transport: z.enum(['tcp', 'tls']).default('tls'),
  format: z.enum(['cef', 'leef']).default('cef'),
  caFile: z.string().min(1).optional(),
  rejectUnauthorized: boolFromEnv.default(true),
  serverName: z.string().min(1).optional(),
  facility: intFromEnv(0, 23).default(10),
  appName: z.string().min(1).max(48).default('atlas-audit'),
});

export const hecSinkSchema = z.object({
  type: z.literal('hec'),
  ...deliveryFields,
  /** Base URL, e.g. https://splunk.example:8088 */
  url: z.url(),
  token: z.string().min(1),
  index: z.string().min(1).optional(),
  source: z.string().min(1).default('atlas-audit'),
  sourcetype: z.string().min(1).default('atlas:alert'),
  ack: z
    .object({
      enabled: boolFromEnv.default(false),
      /** Channel GUID; generated at start when absent. */
      channel: z.uuid().optional(),
      pollIntervalMs: intFromEnv(10, 60_000).default(1_000),
      timeoutMs: intFromEnv(100, 600_000).default(60_000),
    })
    .prefault({}),
  rejectUnauthorized: boolFromEnv.default(true),
});

export const kafkaSinkSchema = z.object({
  type: z.literal('kafka'),
  ...deliveryFields,
  topic: z.string().min(1),
  format: jsonFormat,
});

export const sinkSchema = z.discriminatedUnion('type', [webhookSinkSchema, syslogSinkSchema, hecSinkSchema, kafkaSinkSchema]);
export type SinkConfig = z.output<typeof sinkSchema>;

function jsonIfString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export const siemConfigSchema = z.object({
  kafka: kafkaConfigSchema,
  /** Where the delivery ledger lives; without it every alert read again after a crash is sent again. */
  mongodb: mongodbConfigSchema.optional(),
  log: logConfigSchema,
  http: httpConfigSchema,
  siem: z.object({
    /** The delivery ledger (alert ids each sink acknowledged), in `mongodb` when configured. */
    ledger: z
      .object({
        collection: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be a collection name').default('siem_delivered'),
        retentionHours: intFromEnv(1, 24 * 365).default(168),
      })
      .prefault({}),
    alertsTopic: z.string().min(1).default('atlas.alerts.v1'),
    retryTopic: z.string().min(1).default('atlas.alerts.retry.v1'),
    dlqTopic: z.string().min(1).default('atlas.dlq.v1'),
    groupId: z.string().min(1).default('atlas-audit-siem'),
    redriveGroupId: z.string().min(1).default('atlas-audit-siem-redrive'),
    /** Our host name in syslog headers and HEC `host`; defaults to the OS host name. */
    hostname: z.string().min(1).optional(),
    device: z.object({ vendor: z.string().min(1).default('Atlas Audit'), product: z.string().min(1).default('atlas-audit'), version: z.string().min(1).default('0.1.0') }).prefault({}),
    sinks: z.preprocess(
      jsonIfString,
      z
        .array(sinkSchema)
        .min(1, 'configure at least one sink')
        .refine((sinks) => new Set(sinks.map((s) => s.name)).size === sinks.length, 'sink names must be unique'),
    ),
  }),
});

export type SiemConfig = z.output<typeof siemConfigSchema>;

export const siemEnvBindings: readonly EnvBinding[] = [
  ...commonEnvBindings.filter((b) => b.path.startsWith('kafka.') || b.path.startsWith('mongodb.') || b.path.startsWith('log.') || b.path.startsWith('http.')),
  { path: 'siem.ledger.collection', env: 'SIEM_LEDGER_COLLECTION' },
  { path: 'siem.ledger.retentionHours', env: 'SIEM_LEDGER_RETENTION_HOURS' },
  { path: 'siem.alertsTopic', env: 'SIEM_ALERTS_TOPIC' },
  { path: 'siem.retryTopic', env: 'SIEM_RETRY_TOPIC' },
  { path: 'siem.dlqTopic', env: 'SIEM_DLQ_TOPIC' },
  { path: 'siem.groupId', env: 'SIEM_GROUP_ID' },
  { path: 'siem.redriveGroupId', env: 'SIEM_REDRIVE_GROUP_ID' },
  { path: 'siem.hostname', env: 'SIEM_HOSTNAME' },
  { path: 'siem.sinks', env: 'SIEM_SINKS', secret: true },
];
