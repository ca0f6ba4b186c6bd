import type { AtlasEvent } from '../schema/event.ts';
import { atlasEventSchema } from '../schema/event.ts';
import type { Result } from '../result.ts';
import { fail, ok } from '../result.ts';

/**
 * Validates a candidate event against the schema. Returns the parsed event (keys in schema
 * order, so serialising it is deterministic) or a reason naming the first problems.
 */
export function validateEvent(candidate: unknown): Result<AtlasEvent> {
  const parsed = atlasEventSchema.safeParse(candidate);
  if (parsed.success) return ok(parsed.data);
  const problems = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  return fail(`schema: ${problems.join('; ')}`);
}

/** One event as one NDJSON line (no trailing newline). */
export function serialiseEvent(event: AtlasEvent): string {
  return JSON.stringify(event);
}
