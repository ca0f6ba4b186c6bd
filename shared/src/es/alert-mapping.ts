import { alertSchema } from '../schema/alert.ts';
import { isoTimestampSchema } from '../schema/event.ts';
import type { Result } from '../result.ts';
import { mappingFromSchema, type FieldMapping, type MappingOverrides } from './zod-to-mapping.ts';

const ip: FieldMapping = { type: 'ip', ignore_malformed: true };
const textWithKeyword: FieldMapping = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } };

/** Decisions the walk cannot make for alerts: ECS `message` is text, the explanation is searchable text, evidence is free-form. */
export const alertMappingOverrides: MappingOverrides = {
  message: { type: 'text' },
  'source.ip': ip,
  'related.ip': ip,
  'kibana.alert.reason': textWithKeyword,
  'atlas.alert.explanation': textWithKeyword,
  'atlas.alert.evidence': { type: 'flattened' },
};

/** The `properties` of the alerts index mapping, derived from alertSchema. */
export function alertProperties(): Result<Record<string, FieldMapping>> {
  return mappingFromSchema(alertSchema, alertMappingOverrides, new Set([isoTimestampSchema]));
}
