import type { AtlasEvent } from '../schema/event.ts';
import { parseAtlasEvent, validateAtlasEvent } from '../schema/event-validator.ts';
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

/**
 * Validates an event built by this project's normalisers in place: the same verdict as
 * `validateEvent`, but no copy is made and the event itself is returned. The normalisers set
 * keys in schema order and never add unknown ones (shared/test/normalise.property.test.ts checks
 * that the parser's copy serialises to the same bytes), so the result serialises exactly as
 * `validateEvent`'s would. For input of unknown shape use `validateEvent`.
 */
export function checkEvent(event: AtlasEvent): Result<AtlasEvent> {
  const checked = validateAtlasEvent(event);
  return checked.ok ? ok(event) : fail(`schema: ${checked.reason}`);
}

/** One event as one NDJSON line (no trailing newline). */
export function serialiseEvent(event: AtlasEvent): string {
  return JSON.stringify(event);
}
