import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { atlasEventSchema } from '@atlas-audit/shared/schema/event';
import { alertSchema } from '@atlas-audit/shared/schema/alert';
import { dlqRecordSchema } from '@atlas-audit/shared/schema/dlq';
import { mappingFromSchema, mappedFieldsOf, schemaPathsOf, type FieldMapping } from '@atlas-audit/shared/es/zod-to-mapping';
import { eventMappingOverrides, dlqMappingOverrides } from '@atlas-audit/shared/es/event-mapping';
import { alertMappingOverrides } from '@atlas-audit/shared/es/alert-mapping';
import { schemaMappings } from '@atlas-audit/shared/es/mappings';
import { templatesFor, contentHash, TEMPLATE_PRIORITY } from '@atlas-audit/shared/es/templates';
import { indexLayout, eventIndexName } from '@atlas-audit/shared/es/index-names';

/** Every path of a mapping, objects included (multi-fields excluded). */
function mappingPaths(properties: Record<string, FieldMapping>, prefix = ''): string[] {
  return Object.entries(properties).flatMap(([key, field]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return [path, ...(field.properties ? mappingPaths(field.properties, path) : [])];
  });
}

/** Schema paths, minus the children of a field whose override maps it as a whole. */
function expectedPaths(schema: z.ZodType, overrides: Record<string, FieldMapping>): string[] {
  const leafOverrides = Object.keys(overrides);
  return schemaPathsOf(schema).filter((path) => !leafOverrides.some((o) => path.startsWith(`${o}.`)));
}

const cases = [
  { name: 'events', schema: atlasEventSchema, overrides: eventMappingOverrides, mapping: () => schemaMappings().events },
  { name: 'alerts', schema: alertSchema, overrides: alertMappingOverrides, mapping: () => schemaMappings().alerts },
  { name: 'dlq', schema: dlqRecordSchema, overrides: dlqMappingOverrides, mapping: () => schemaMappings().dlq },
] as const;

for (const c of cases) {
  test(`every ${c.name} schema field has a mapping and every mapped field is in the schema`, () => {
    const mapped = new Set(mappingPaths(c.mapping()));
    const expected = new Set(expectedPaths(c.schema, c.overrides));
    assert.deepEqual([...expected].filter((p) => !mapped.has(p)), [], 'schema fields without a mapping');
    assert.deepEqual([...mapped].filter((p) => !expected.has(p)), [], 'mapped fields not in the schema');
    assert.ok(mapped.size > 10);
  });
}

test('ECS types: timestamps are date, addresses ip, message text, counts long, names keyword', () => {
  const events = mappedFieldsOf(schemaMappings().events);
  assert.equal(events.get('@timestamp'), 'date');
  assert.equal(events.get('event.ingested'), 'date');
  assert.equal(events.get('atlas.diff.previous_timestamp'), 'date');
  assert.equal(events.get('source.ip'), 'ip');
  assert.equal(events.get('related.ip'), 'ip');
  assert.equal(events.get('source.port'), 'long');
  assert.equal(events.get('atlas.result.code'), 'long');
  assert.equal(events.get('user.name'), 'keyword');
  assert.equal(events.get('event.category'), 'keyword');
  assert.equal(events.get('atlas.is_system_user'), 'boolean');
  assert.equal(events.get('atlas.param'), 'flattened');
  assert.equal(events.get('atlas.raw_timestamp'), 'keyword', 'the raw timestamp is kept verbatim, not parsed');
  const alerts = mappedFieldsOf(schemaMappings().alerts);
  assert.equal(alerts.get('message'), 'text');
  assert.equal(alerts.get('event.kind'), 'keyword');
  assert.equal(alerts.get('atlas.alert.explanation'), 'text');
  assert.equal(alerts.get('atlas.alert.explanation.keyword'), 'keyword');
  assert.equal(alerts.get('risk_score'), 'double');
  assert.equal(alerts.get('event.severity'), 'long');
});

test('a field the walk cannot type fails with its path unless overridden', () => {
  const schema = z.object({ a: z.string(), free: z.custom<object>(() => true), nested: z.object({ mixed: z.union([z.string(), z.number()]) }) });
  const r = mappingFromSchema(schema);
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.reason, /free: zod type 'custom'/);
  assert.match(r.ok ? '' : r.reason, /nested\.mixed: zod type 'union'/);
  const fixed = mappingFromSchema(schema, { free: { type: 'flattened' }, 'nested.mixed': { type: 'keyword' } });
  assert.equal(fixed.ok, true);
});

test('an override for a field the schema does not have fails (no stale overrides)', () => {
  const r = mappingFromSchema(z.object({ a: z.string() }), { b: { type: 'ip' } });
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.reason, /b: override names no field/);
});

test('templates: strict mappings, explicit refresh, priority above the built-in logs template, namespaced patterns', () => {
  const layout = indexLayout('default');
  const templates = templatesFor(layout, schemaMappings());
  const byName = new Map(templates.map((t) => [t.name, t]));
  const settings = byName.get('atlas-audit-default-settings');
  assert.equal((settings?.body.template as { settings: { index: { refresh_interval: string } } }).settings.index.refresh_interval, '1s');
  const events = byName.get('atlas-audit-default-events-mappings');
  assert.equal((events?.body.template as { mappings: { dynamic: string } }).mappings.dynamic, 'strict');
  const alertsIndex = byName.get('atlas-audit-default-alerts');
  assert.ok(alertsIndex?.kind === 'index');
  assert.deepEqual(alertsIndex.body.index_patterns, ['logs-atlas_audit.alerts-default*']);
  assert.ok(TEMPLATE_PRIORITY > 100);
  assert.ok(layout.alertsIndex.startsWith('logs-'), 'Elastic Security reads logs-* by default');
  assert.equal(eventIndexName(layout, '2026-01-02T23:59:59.999Z'), 'atlas-audit-events-default-2026.01.02');
  for (const t of templates) assert.equal(typeof t.body._meta['content_hash'], 'string');
});

test('the template content hash ignores key order and changes with content', () => {
  assert.equal(contentHash({ a: 1, b: { c: [1, 2] } }), contentHash({ b: { c: [1, 2] }, a: 1 }));
  assert.notEqual(contentHash({ a: 1 }), contentHash({ a: 2 }));
});
