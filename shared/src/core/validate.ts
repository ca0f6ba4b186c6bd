import type { AtlasEvent } from '../schema/event.ts';
import { parseAtlasEvent } from '../schema/event-validator.ts';
import type { Result } from '../result.ts';
import { fail, ok } from '../result.ts';

/**
 * Validates a candidate event against the schema with the compiled validator (same verdict and
 * output as `atlasEventSchema.safeParse`). Returns the parsed event (unknown keys dropped, keys
 * in schema order, so serialising it is deterministic) or a reason naming the first problem.
 */
export function validateEvent(candidate: unknown): Result<AtlasEvent> {
  const parsed = parseAtlasEvent(candidate);
  return parsed.ok ? ok(parsed.value) : fail(`schema: ${parsed.reason}`);
}

/** One event as one NDJSON line (no trailing newline). */
export function serialiseEvent(event: AtlasEvent): string {
  return JSON.stringify(event);
}
