import { z } from 'zod';
import { commonEnvBindings, intFromEnv, kafkaConfigSchema, mongodbConfigSchema, logConfigSchema, httpConfigSchema, type EnvBinding } from '@atlas-audit/shared/config';

/**
 * The ingest worker's configuration: one zod schema over environment variables and the
 * optional YAML file. Credentials are either an API key pair (Digest) or a service account
 * (OAuth), never both; at least one project or org.
 */
const hexId = z.string().regex(/^[a-f0-9]{24}$/, 'must be a 24-digit lower-case hex id');
const ms = (min: number, max: number) => intFromEnv(min, max);

const windowSchema = (defaults: { intervalMs: number; lagMs: number; overlapMs: number; maxWindowMs: number }) =>
  z
    .object({
      intervalMs: ms(100, 86_400_000).default(defaults.intervalMs),
      lagMs: ms(0, 86_400_000).default(defaults.lagMs),
      overlapMs: ms(0, 86_400_000).default(defaults.overlapMs),
      maxWindowMs: ms(1000, 86_400_000).default(defaults.maxWindowMs),
    })
    .prefault({});

const limitsSchema = z.object({ concurrency: intFromEnv(1, 64), intervalCap: intFromEnv(1, 100_000), intervalMs: intFromEnv(1, 3_600_000) });

export const ingestConfigSchema = z
  .object({
    atlas: z.object({
      baseUrl: z.url(),
      publicKey: z.string().min(1).optional(),
      privateKey: z.string().min(1).optional(),
      clientId: z.string().min(1).optional(),
      clientSecret: z.string().min(1).optional(),
      projectIds: z.array(hexId).default([]),
      orgIds: z.array(hexId).default([]),
      requestTimeoutMs: ms(1000, 600_000).default(60_000),
      tokenRenewBeforeMs: ms(0, 3_000_000).default(300_000),
      itemsPerPage: intFromEnv(1, 500).default(500),
      accessNLogs: intFromEnv(1, 20_000).default(20_000),
      limits: z
        .object({
          logs: limitsSchema.default({ concurrency: 4, intervalCap: 100, intervalMs: 1000 }),
          accessHistory: limitsSchema.default({ concurrency: 2, intervalCap: 20, intervalMs: 1000 }),
          events: limitsSchema.default({ concurrency: 2, intervalCap: 5, intervalMs: 1000 }),
          orgEvents: limitsSchema.default({ concurrency: 1, intervalCap: 5, intervalMs: 1000 }),
          processes: limitsSchema.default({ concurrency: 2, intervalCap: 5, intervalMs: 1000 }),
          clusters: limitsSchema.default({ concurrency: 2, intervalCap: 5, intervalMs: 1000 }),
          groups: limitsSchema.default({ concurrency: 1, intervalCap: 5, intervalMs: 1000 }),
          posture: limitsSchema.default({ concurrency: 2, intervalCap: 10, intervalMs: 1000 }),
        })
        .prefault({}),
    }),
    ingest: z
      .object({
        /** Where a stream with no checkpoint starts: this long before now. */
        startLookbackMs: ms(0, 30 * 86_400_000).default(3_600_000),
        /** Or an absolute start time (ISO); wins over the lookback. */
        startAt: z.iso.datetime({ offset: true }).optional(),
        audit: windowSchema({ intervalMs: 300_000, lagMs: 300_000, overlapMs: 600_000, maxWindowMs: 3_600_000 }),
        access: windowSchema({ intervalMs: 300_000, lagMs: 60_000, overlapMs: 600_000, maxWindowMs: 3_600_000 }),
        events: windowSchema({ intervalMs: 60_000, lagMs: 60_000, overlapMs: 600_000, maxWindowMs: 86_400_000 }),
        postureIntervalMs: ms(1000, 86_400_000).default(3_600_000),
        discoveryIntervalMs: ms(1000, 86_400_000).default(600_000),
        /** Windows fetched at once (bounded memory); HTTP concurrency is capped per endpoint. */
        maxWindowsInFlight: intFromEnv(1, 256).default(12),
        /** Events per Kafka transaction (several windows are committed together). */
        maxEventsPerCommit: intFromEnv(1, 1_000_000).default(50_000),
        retryBaseMs: ms(10, 3_600_000).default(5_000),
        retryMaxMs: ms(10, 3_600_000).default(300_000),
        replicaIndex: intFromEnv(0, 1023).default(0),
        replicaCount: intFromEnv(1, 1024).default(1),
        /**
         * The worker's notion of now, for replays and tests against recorded or accelerated
         * data: now = anchorMs + (wall clock − anchorRealMs) × speed. Unset: the wall clock.
         */
        clock: z
          .object({ anchorMs: intFromEnv(0, 8_640_000_000_000).optional(), anchorRealMs: intFromEnv(0, 8_640_000_000_000).optional(), speed: z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/, 'must be a number').transform(Number)]).pipe(z.number().positive().max(100_000)).default(1) })
          .prefault({}),
        sources: z.array(z.enum(['audit', 'access', 'events', 'posture'])).min(1).default(['audit', 'access', 'events', 'posture']),
      })
      .prefault({}),
    topics: z
      .object({
        events: z.string().min(1).default('atlas.events.v1'),
        dlq: z.string().min(1).default('atlas.dlq.v1'),
        checkpoints: z.string().min(1).default('atlas.ingest.checkpoints.v1'),
      })
      .prefault({}),
    /** Prefix of the Kafka transactional id; the replica index is appended. */
    transactionalIdPrefix: z.string().min(1).default('atlas-ingest'),
    kafka: kafkaConfigSchema,
    mongodb: mongodbConfigSchema,
    log: logConfigSchema,
    http: httpConfigSchema,
  })
  // Cross-field rules run even when a field failed (`when`), so every problem is listed at
  // once; the value may then be partial, hence the loose view.
  .superRefine(
    (value, ctx) => {
      const config = value as unknown as { atlas?: Record<string, unknown>; ingest?: { replicaIndex?: unknown; replicaCount?: unknown; clock?: Record<string, unknown> } };
      const atlas = config.atlas ?? {};
      const has = (key: string): boolean => atlas[key] !== undefined;
      const digest = has('publicKey') || has('privateKey');
      const oauth = has('clientId') || has('clientSecret');
      if (digest && oauth) ctx.addIssue({ code: 'custom', path: ['atlas'], message: 'give either ATLAS_PUBLIC_KEY/ATLAS_PRIVATE_KEY or ATLAS_CLIENT_ID/ATLAS_CLIENT_SECRET, not both' });
      if (!digest && !oauth) ctx.addIssue({ code: 'custom', path: ['atlas'], message: 'credentials missing: ATLAS_PUBLIC_KEY/ATLAS_PRIVATE_KEY or ATLAS_CLIENT_ID/ATLAS_CLIENT_SECRET' });
      if (digest && !(has('publicKey') && has('privateKey'))) ctx.addIssue({ code: 'custom', path: ['atlas', 'privateKey'], message: 'ATLAS_PUBLIC_KEY and ATLAS_PRIVATE_KEY go together' });
      if (oauth && !(has('clientId') && has('clientSecret'))) ctx.addIssue({ code: 'custom', path: ['atlas', 'clientSecret'], message: 'ATLAS_CLIENT_ID and ATLAS_CLIENT_SECRET go together' });
      const count = (key: string): number => (Array.isArray(atlas[key]) ? (atlas[key] as unknown[]).length : 0);
      if (count('projectIds') === 0 && count('orgIds') === 0) ctx.addIssue({ code: 'custom', path: ['atlas', 'projectIds'], message: 'set ATLAS_PROJECT_IDS or ATLAS_ORG_IDS' });
      const index = Number(config.ingest?.replicaIndex ?? 0);
      const replicas = Number(config.ingest?.replicaCount ?? 1);
      if (Number.isInteger(index) && Number.isInteger(replicas) && index >= replicas) ctx.addIssue({ code: 'custom', path: ['ingest', 'replicaCount'], message: `INGEST_REPLICA_INDEX (${index}) must be less than INGEST_REPLICA_COUNT (${replicas})` });
      const clock = config.ingest?.clock ?? {};
      if ((clock['anchorMs'] === undefined) !== (clock['anchorRealMs'] === undefined)) ctx.addIssue({ code: 'custom', path: ['ingest', 'clock'], message: 'INGEST_CLOCK_ANCHOR_MS and INGEST_CLOCK_ANCHOR_REAL_MS go together' });
    },
    { when: () => true },
  );

export type IngestConfig = z.output<typeof ingestConfigSchema>;

/** Environment variables of the ingest worker (plus the common ones). */
export const ingestEnvBindings: readonly EnvBinding[] = [
  ...commonEnvBindings,
  { path: 'atlas.baseUrl', env: 'ATLAS_BASE_URL' },
  { path: 'atlas.publicKey', env: 'ATLAS_PUBLIC_KEY' },
  { path: 'atlas.privateKey', env: 'ATLAS_PRIVATE_KEY', secret: true },
  { path: 'atlas.clientId', env: 'ATLAS_CLIENT_ID' },
  { path: 'atlas.clientSecret', env: 'ATLAS_CLIENT_SECRET', secret: true },
  { path: 'atlas.projectIds', env: 'ATLAS_PROJECT_IDS', list: true },
  { path: 'atlas.orgIds', env: 'ATLAS_ORG_IDS', list: true },
  { path: 'atlas.requestTimeoutMs', env: 'ATLAS_REQUEST_TIMEOUT_MS' },
  { path: 'ingest.startLookbackMs', env: 'INGEST_START_LOOKBACK_MS' },
  { path: 'ingest.startAt', env: 'INGEST_START_AT' },
  { path: 'ingest.audit.intervalMs', env: 'INGEST_AUDIT_INTERVAL_MS' },
  { path: 'ingest.audit.lagMs', env: 'INGEST_AUDIT_LAG_MS' },
  { path: 'ingest.audit.overlapMs', env: 'INGEST_AUDIT_OVERLAP_MS' },
  { path: 'ingest.audit.maxWindowMs', env: 'INGEST_AUDIT_MAX_WINDOW_MS' },
  { path: 'ingest.access.intervalMs', env: 'INGEST_ACCESS_INTERVAL_MS' },
  { path: 'ingest.access.lagMs', env: 'INGEST_ACCESS_LAG_MS' },
  { path: 'ingest.access.overlapMs', env: 'INGEST_ACCESS_OVERLAP_MS' },
  { path: 'ingest.access.maxWindowMs', env: 'INGEST_ACCESS_MAX_WINDOW_MS' },
  { path: 'ingest.events.intervalMs', env: 'INGEST_EVENTS_INTERVAL_MS' },
  { path: 'ingest.events.lagMs', env: 'INGEST_EVENTS_LAG_MS' },
  { path: 'ingest.events.overlapMs', env: 'INGEST_EVENTS_OVERLAP_MS' },
  { path: 'ingest.events.maxWindowMs', env: 'INGEST_EVENTS_MAX_WINDOW_MS' },
  { path: 'ingest.postureIntervalMs', env: 'INGEST_POSTURE_INTERVAL_MS' },
  { path: 'ingest.discoveryIntervalMs', env: 'INGEST_DISCOVERY_INTERVAL_MS' },
  { path: 'ingest.maxWindowsInFlight', env: 'INGEST_MAX_WINDOWS_IN_FLIGHT' },
  { path: 'ingest.maxEventsPerCommit', env: 'INGEST_MAX_EVENTS_PER_COMMIT' },
  { path: 'ingest.retryBaseMs', env: 'INGEST_RETRY_BASE_MS' },
  { path: 'ingest.retryMaxMs', env: 'INGEST_RETRY_MAX_MS' },
  { path: 'ingest.replicaIndex', env: 'INGEST_REPLICA_INDEX' },
  { path: 'ingest.replicaCount', env: 'INGEST_REPLICA_COUNT' },
  { path: 'ingest.sources', env: 'INGEST_SOURCES', list: true },
  { path: 'ingest.clock.anchorMs', env: 'INGEST_CLOCK_ANCHOR_MS' },
  { path: 'ingest.clock.anchorRealMs', env: 'INGEST_CLOCK_ANCHOR_REAL_MS' },
  { path: 'ingest.clock.speed', env: 'INGEST_CLOCK_SPEED' },
  { path: 'topics.events', env: 'TOPIC_EVENTS' },
  { path: 'topics.dlq', env: 'TOPIC_DLQ' },
  { path: 'topics.checkpoints', env: 'TOPIC_INGEST_CHECKPOINTS' },
  { path: 'transactionalIdPrefix', env: 'INGEST_TRANSACTIONAL_ID_PREFIX' },
];
