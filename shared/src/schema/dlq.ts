import { z } from 'zod';
import { eventDatasets, isoTimestampSchema, SCHEMA_VERSION } from './event.ts';

/**
 * A dead-letter record: anything that could not be parsed, normalised or validated, with
 * the raw bytes, the reason and where it came from. Published to atlas.dlq.v1.
 */
export const dlqRecordSchema = z.object({
  schema_version: z.literal(SCHEMA_VERSION),
  /** Deterministic id (hex sha256 over origin and raw bytes), so a replayed record is indexed once. */
  id: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** The raw input bytes, base64-encoded (they may not be valid UTF-8). */
  raw: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
  /** Why the record was rejected, e.g. "invalid JSON: Unexpected end of JSON input". */
  reason: z.string().min(1),
  origin: z.object({
    /** Atlas project id (for org events: absent, see org). */
    project: z.string().min(1).optional(),
    org: z.string().min(1).optional(),
    host: z.string().min(1).optional(),
    /** The source dataset the record came from. */
    source: z.enum(eventDatasets),
    logName: z.string().min(1).optional(),
    endpoint: z.string().min(1).optional(),
    /** The download window, ISO timestamps. */
    window: z.object({ start: isoTimestampSchema, end: isoTimestampSchema }).optional(),
    /** 1-based line number within the downloaded file, when the source is line-oriented. */
    line: z.number().int().min(1).optional(),
    /** Local file path when the record came from an offline scan. */
    file: z.string().optional(),
  }),
  /** When the record was dead-lettered (set by the shell). */
  timestamp: isoTimestampSchema,
});

/** One dead-letter record. */
export type DlqRecord = z.infer<typeof dlqRecordSchema>;
