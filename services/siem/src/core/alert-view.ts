import { z } from 'zod';

/**
 * The part of a detection alert the SIEM formats read. It is a structural subset of the shared
 * alert schema (shared/src/schema/alert.ts): any full alert satisfies it, and the formats never
 * depend on fields the detection engineer may still add. Unknown fields are kept (loose), so a
 * raw-JSON sink forwards the alert unchanged.
 */
const attackRef = z.object({ id: z.string().min(1), name: z.string().min(1) }).loose();

export const siemAlertSchema = z
  .object({
    '@timestamp': z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/, 'must be ISO 8601 UTC'),
    event: z.object({ id: z.string().regex(/^[0-9a-f]{32,64}$/, 'must be a hex id'), kind: z.literal('alert') }).loose(),
    rule: z.object({ id: z.string().min(1), name: z.string().min(1), description: z.string().min(1), version: z.string().min(1) }).loose(),
    threat: z.object({ framework: z.string().min(1), tactic: attackRef, technique: attackRef }).loose(),
    severity: z.enum(['low', 'medium', 'high', 'critical']),
    risk_score: z.number().min(0).max(100),
    message: z.string().min(1),
    user: z.object({ name: z.string(), domain: z.string().optional(), target: z.object({ name: z.string() }).loose().optional() }).loose().optional(),
    source: z.object({ ip: z.string().optional(), prefix: z.string().optional() }).loose().optional(),
    host: z.object({ name: z.string().min(1) }).loose().optional(),
    cloud: z.object({ account: z.object({ id: z.string() }).loose().optional(), project: z.object({ id: z.string() }).loose().optional() }).loose().optional(),
    related: z.object({ ip: z.array(z.string()), user: z.array(z.string()) }).loose().optional(),
    atlas: z
      .object({
        alert: z
          .object({
            subject: z.string().min(1),
            window: z.object({ start: z.string(), end: z.string() }),
            explanation: z.string().min(1),
            evidence_event_ids: z.array(z.string()),
          })
          .loose(),
      })
      .loose(),
  })
  .loose();

/** An alert as the SIEM service sees it. */
export type SiemAlert = z.infer<typeof siemAlertSchema>;

/** The alert severities, lowest first. */
export type AlertSeverity = SiemAlert['severity'];
