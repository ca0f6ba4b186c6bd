import { z } from 'zod';
import { jsonObjectSchema } from './json-value.ts';
import { isoTimestampSchema } from './event.ts';

/**
 * A detection alert: ECS-aligned (`event.kind = 'alert'`, `rule.*`, `threat.*`), with the subject's
 * user/source/host/cloud fields copied from the evidence and the Atlas specifics under
 * `atlas.alert`. `event.id` is deterministic: hash(rule id, subject, window start), so a replay
 * re-emits the same id and every sink can dedupe on it. Field list: docs/detections.md.
 */
export const ALERT_SCHEMA_VERSION = '1';

export const alertSeverities = ['low', 'medium', 'high', 'critical'] as const;
export type AlertSeverity = (typeof alertSeverities)[number];

/** Elastic's risk-score convention per severity (21/47/73/99). */
export const riskScoreOf: Readonly<Record<AlertSeverity, number>> = { low: 21, medium: 47, high: 73, critical: 99 };

const nonEmpty = z.string().min(1);
const attackRef = z.object({ id: nonEmpty, name: nonEmpty, reference: z.url().optional() });

export const alertSchema = z.object({
  schema_version: z.literal(ALERT_SCHEMA_VERSION),
  /** Event time of the evidence that triggered the alert (never wall clock). */
  '@timestamp': isoTimestampSchema,
  event: z.object({
    /** Deterministic alert id (hex). */
    id: z.string().regex(/^[0-9a-f]{32,64}$/, 'must be a hex id'),
    kind: z.literal('alert'),
    category: z.array(nonEmpty).min(1),
    type: z.array(nonEmpty).min(1),
    action: nonEmpty,
    dataset: z.literal('atlas.alert'),
    module: z.literal('mongodb_atlas'),
    /** ECS numeric severity: low 1, medium 2, high 3, critical 4. */
    severity: z.number().int().min(1).max(4),
    risk_score: z.number().min(0).max(100),
  }),
  rule: z.object({ id: nonEmpty, name: nonEmpty, description: nonEmpty, version: nonEmpty, category: z.string().optional() }),
  threat: z.object({
    framework: z.literal('MITRE ATT&CK'),
    tactic: attackRef,
    technique: attackRef,
    subtechnique: attackRef.optional(),
  }),
  severity: z.enum(alertSeverities),
  risk_score: z.number().min(0).max(100),
  /** One-line human explanation. */
  message: nonEmpty,
  user: z
    .object({
      name: z.string(),
      domain: z.string().optional(),
      roles: z.array(z.string()).optional(),
      target: z.object({ name: z.string(), domain: z.string().optional(), roles: z.array(z.string()).optional() }).optional(),
    })
    .optional(),
  source: z.object({ ip: z.string().optional(), prefix: z.string().optional() }).optional(),
  host: z.object({ name: nonEmpty }).optional(),
  service: z.object({ name: nonEmpty }).optional(),
  cloud: z.object({
    provider: z.literal('mongodb_atlas'),
    account: z.object({ id: nonEmpty }).optional(),
    project: z.object({ id: nonEmpty }).optional(),
  }),
  related: z.object({ ip: z.array(z.string()), user: z.array(z.string()) }),
  /** Kibana security-alert compatible fields (optional, for Elastic Security users). */
  kibana: z
    .object({
      alert: z.object({
        rule: z.object({ rule_id: nonEmpty, name: nonEmpty }),
        severity: z.enum(alertSeverities),
        risk_score: z.number(),
        reason: nonEmpty,
        original_time: isoTimestampSchema,
      }),
    })
    .optional(),
  atlas: z.object({
    alert: z.object({
      /** What the alert is about, e.g. `<project>/<principal>/<prefix>`; part of the id. */
      subject: nonEmpty,
      /** The suppression window this alert opened; its start is part of the id. */
      window: z.object({ start: isoTimestampSchema, end: isoTimestampSchema }),
      explanation: nonEmpty,
      evidence_event_ids: z.array(nonEmpty).min(1),
      /** Rule-specific evidence: known prefixes and since when, counts, before/after, … */
      evidence: jsonObjectSchema,
    }),
  }),
});

/** One detection alert. */
export type Alert = z.infer<typeof alertSchema>;

/** ECS numeric severity of a severity name. */
export const ecsSeverityOf: Readonly<Record<AlertSeverity, number>> = { low: 1, medium: 2, high: 3, critical: 4 };
