import { z } from 'zod';
import { jsonObjectSchema, jsonValueSchema } from './json-value.ts';

/**
 * The common event schema: one ECS-aligned shape for every Atlas source (audit log lines,
 * database access history, project/org activity events, posture snapshots and their diffs).
 * Field list and rules: docs/event-schema.md. Changes are additive only; a breaking change
 * bumps SCHEMA_VERSION.
 */
export const SCHEMA_VERSION = '1';

/** ECS `event.kind` values. */
export const eventKinds = ['event', 'state', 'alert', 'metric', 'pipeline_error', 'signal', 'enrichment', 'asset'] as const;

/** ECS `event.category` values. */
export const eventCategories = [
  'api',
  'authentication',
  'configuration',
  'database',
  'driver',
  'file',
  'host',
  'iam',
  'intrusion_detection',
  'malware',
  'network',
  'package',
  'process',
  'session',
  'threat',
  'vulnerability',
  'web',
] as const;

/** ECS `event.type` values. */
export const eventTypes = [
  'access',
  'admin',
  'allowed',
  'change',
  'connection',
  'creation',
  'deletion',
  'denied',
  'end',
  'error',
  'group',
  'indicator',
  'info',
  'installation',
  'protocol',
  'start',
  'user',
] as const;

/** ECS `event.outcome` values. */
export const eventOutcomes = ['success', 'failure', 'unknown'] as const;

/** `event.dataset`: one per Atlas source, plus the pipeline's own records. */
export const eventDatasets = ['atlas.audit', 'atlas.access', 'atlas.activity', 'atlas.posture', 'atlas.pipeline'] as const;

/** `atlas.snapshot.kind` and `atlas.diff.resource_type`: the posture resources we snapshot. */
export const postureKinds = ['database_user', 'custom_role', 'access_list_entry', 'audit_log', 'maintenance_window', 'encryption_at_rest'] as const;

/** `atlas.diff.kind`. */
export const diffKinds = ['added', 'removed', 'changed'] as const;

/** `event.module`. */
export const EVENT_MODULE = 'mongodb_atlas';

/** `cloud.provider`. */
export const CLOUD_PROVIDER = 'mongodb_atlas';

/** ISO 8601 UTC with exactly millisecond precision, e.g. 2025-03-04T14:07:12.345Z. */
export const isoTimestampSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'must be ISO 8601 UTC with milliseconds');

// Length first, then the alphabet: the same verdict as /^[0-9a-f]{64}$/, which V8 runs
// markedly slower, and every event is checked (validate stage of `npm run bench:normalise`).
const sha256HexSchema = z.string().min(64, 'must be a hex sha256').max(64, 'must be a hex sha256').regex(/^[0-9a-f]+$/, 'must be a hex sha256');
const portSchema = z.number().int().min(0).max(65535);
const nonEmpty = z.string().min(1);

export const sourceCoordinatesSchema = z.object({
  /** Atlas project (group) id; absent for organisation events. */
  project: nonEmpty.optional(),
  /** Atlas organisation id, for organisation-scoped sources. */
  org: nonEmpty.optional(),
  /** The Atlas process host name (audit logs, access history). */
  host: nonEmpty.optional(),
  /** Audit log name: mongodb-audit-log or mongos-audit-log. */
  log_name: nonEmpty.optional(),
  /** API endpoint family for non-file sources: dbAccessHistory, events, databaseUsers, … */
  endpoint: nonEmpty.optional(),
  /** How many byte-identical records preceded this one within its download window (0-based). */
  occurrence: z.number().int().min(0),
});

export const atlasEventSchema = z.object({
  schema_version: z.literal(SCHEMA_VERSION),
  '@timestamp': isoTimestampSchema,
  event: z.object({
    id: sha256HexSchema,
    kind: z.enum(eventKinds),
    category: z.array(z.enum(eventCategories)).min(1),
    type: z.array(z.enum(eventTypes)).min(1),
    action: nonEmpty,
    outcome: z.enum(eventOutcomes),
    code: z.string().optional(),
    reason: z.string().optional(),
    dataset: z.enum(eventDatasets),
    module: z.literal(EVENT_MODULE),
    ingested: isoTimestampSchema.optional(),
    severity: z.number().int().min(0).optional(),
  }),
  user: z
    .object({
      name: z.string(),
      domain: z.string().optional(),
      id: z.string().optional(),
      email: z.string().optional(),
      roles: z.array(z.string()).optional(),
      target: z
        .object({
          name: z.string(),
          domain: z.string().optional(),
          roles: z.array(z.string()).optional(),
        })
        .optional(),
    })
    .optional(),
  /** ECS group: the role acted on by role management (`name` = role, `domain` = its db). */
  group: z.object({ name: z.string(), domain: z.string().optional() }).optional(),
  source: z.object({ ip: z.string().optional(), port: portSchema.optional(), address: z.string().optional() }).optional(),
  server: z.object({ ip: z.string().optional(), port: portSchema.optional(), address: z.string().optional() }).optional(),
  host: z.object({ name: nonEmpty }).optional(),
  service: z.object({ name: nonEmpty, type: z.literal('mongodb') }).optional(),
  cloud: z.object({
    provider: z.literal(CLOUD_PROVIDER),
    account: z.object({ id: nonEmpty }).optional(),
    project: z.object({ id: nonEmpty }).optional(),
    region: z.string().optional(),
  }),
  related: z.object({ ip: z.array(z.string()), user: z.array(z.string()) }),
  atlas: z.object({
    /** Audit message type, as written by mongod. */
    atype: z.string().optional(),
    /** Audit `param`, sanitised under the configured policy. */
    param: jsonObjectSchema.optional(),
    result: z.object({ code: z.number().int(), name: z.string() }).optional(),
    /** Audit `uuid` (client connection), as a canonical UUID string. */
    connection_uuid: z.string().optional(),
    is_system_user: z.boolean().optional(),
    mechanism: z.string().optional(),
    auth_source: z.string().optional(),
    failure_reason: z.string().optional(),
    /** Atlas activity `eventTypeName`. */
    event_type: z.string().optional(),
    log_name: z.string().optional(),
    /** The timestamp exactly as the source wrote it. */
    raw_timestamp: z.string().optional(),
    /** Unix socket path from audit `local`/`remote`. */
    unix_socket: z.string().optional(),
    /** Audit lines: the users and roles of the connection (`users[]`, `roles[]`) as `name@db`. */
    users: z.array(z.string()).optional(),
    roles: z.array(z.string()).optional(),
    /** Access history: the mongod log id (20249 failed, 20250 succeeded, 20429 X.509). */
    log_id: z.number().int().optional(),
    /** Activity events: Atlas's own id and actor details. */
    activity: z
      .object({
        id: z.string(),
        api_key_id: z.string().optional(),
        public_key: z.string().optional(),
        is_global_admin: z.boolean().optional(),
        target_username: z.string().optional(),
        db_user_username: z.string().optional(),
        access_list_entry: z.string().optional(),
        team_id: z.string().optional(),
        cluster_name: z.string().optional(),
        hostname: z.string().optional(),
        port: z.number().int().optional(),
        database: z.string().optional(),
        collection: z.string().optional(),
        op_type: z.string().optional(),
        description: z.string().optional(),
        severity: z.string().optional(),
      })
      .optional(),
    /** Posture state events: one resource as observed at `@timestamp`. */
    snapshot: z.object({ kind: z.enum(postureKinds), resource: nonEmpty, state: jsonObjectSchema }).optional(),
    /** Posture change events: what differs between two snapshots. */
    diff: z
      .object({
        kind: z.enum(diffKinds),
        resource_type: z.enum(postureKinds),
        resource: nonEmpty,
        before: jsonValueSchema.optional(),
        after: jsonValueSchema.optional(),
        changed_fields: z.array(z.string()).optional(),
        previous_timestamp: isoTimestampSchema.optional(),
      })
      .optional(),
    source_coordinates: sourceCoordinatesSchema,
  }),
});

/** One normalised event. */
export type AtlasEvent = z.infer<typeof atlasEventSchema>;
export type EventKind = (typeof eventKinds)[number];
export type EventCategory = (typeof eventCategories)[number];
export type EventType = (typeof eventTypes)[number];
export type EventOutcome = (typeof eventOutcomes)[number];
export type EventDataset = (typeof eventDatasets)[number];
export type PostureKind = (typeof postureKinds)[number];
export type DiffKind = (typeof diffKinds)[number];
export type SourceCoordinates = z.infer<typeof sourceCoordinatesSchema>;
