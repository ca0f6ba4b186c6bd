import { AppError } from '../errors.ts';
import { alertProperties } from './alert-mapping.ts';
import { dlqProperties, eventProperties } from './event-mapping.ts';
import type { MappingSet } from './templates.ts';

/** The three index mappings, derived from the zod schemas. Throws AppError INTERNAL if a schema has an unmappable field (a bug caught by the mapping test). */
export function schemaMappings(): MappingSet {
  const events = eventProperties();
  const alerts = alertProperties();
  const dlq = dlqProperties();
  if (!events.ok || !alerts.ok || !dlq.ok) {
    const reasons = [events, alerts, dlq].flatMap((r) => (r.ok ? [] : [r.reason]));
    throw new AppError(`schema has fields without a mapping: ${reasons.join('; ')}`, { code: 'INTERNAL', retryable: false });
  }
  return { events: events.value, alerts: alerts.value, dlq: dlq.value };
}
