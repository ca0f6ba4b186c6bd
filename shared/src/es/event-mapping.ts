import { atlasEventSchema, isoTimestampSchema } from '../schema/event.ts';
import { dlqRecordSchema } from '../schema/dlq.ts';
import type { Result } from '../result.ts';
import { mappingFromSchema, type FieldMapping, type MappingOverrides } from './zod-to-mapping.ts';

/**
 * Where the walk of the zod schema needs a human decision. IPs are `ip` with
 * `ignore_malformed` (a malformed address stays in `_source` instead of rejecting the whole
 * event); free-form JSON is `flattened` when it is an object (searchable by key) and a
 * disabled object when it may be any value (kept in `_source` only).
 */
const ip: FieldMapping = { type: 'ip', ignore_malformed: true };
const anyJson: FieldMapping = { type: 'object', enabled: false };
const jsonObject: FieldMapping = { type: 'flattened' };
const textWithKeyword: FieldMapping = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } };

export const eventMappingOverrides: MappingOverrides = {
  'source.ip': ip,
  'server.ip': ip,
  'related.ip': ip,
  'atlas.param': jsonObject,
  'atlas.snapshot.state': jsonObject,
  'atlas.diff.before': anyJson,
  'atlas.diff.after': anyJson,
  'atlas.activity.description': textWithKeyword,
};

export const dlqMappingOverrides: MappingOverrides = {
  raw: { type: 'binary' },
  reason: textWithKeyword,
};

/** The `properties` of the events index mapping, derived from atlasEventSchema. */
export function eventProperties(): Result<Record<string, FieldMapping>> {
  return mappingFromSchema(atlasEventSchema, eventMappingOverrides, new Set([isoTimestampSchema]));
}

/** The `properties` of the dead-letter index mapping, derived from dlqRecordSchema. */
export function dlqProperties(): Result<Record<string, FieldMapping>> {
  return mappingFromSchema(dlqRecordSchema, dlqMappingOverrides, new Set([isoTimestampSchema]));
}
