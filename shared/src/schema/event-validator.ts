import { alertSchema } from './alert.ts';
import { compileParser, compileValidator } from './compile-validator.ts';
import { atlasEventSchema } from './event.ts';

/**
 * The event and alert schemas compiled once (shared/src/schema/compile-validator.ts): the same
 * verdict as zod's `safeParse`, several times faster. zod stays the source of truth.
 */

/** Yes/no check of a candidate event; `{ ok: false, reason }` names the first issue as `path: message`. Never throws. */
export const validateAtlasEvent = compileValidator(atlasEventSchema);

/** Parses a candidate event to what `atlasEventSchema.safeParse` returns (unknown keys dropped, keys in schema order), or the first issue. Never throws. */
export const parseAtlasEvent = compileParser(atlasEventSchema);

/** Yes/no check of a candidate alert, as `validateAtlasEvent`. Never throws. */
export const validateAlert = compileValidator(alertSchema);

/** Parses a candidate alert to what `alertSchema.safeParse` returns, or the first issue. Never throws. */
export const parseAlert = compileParser(alertSchema);
