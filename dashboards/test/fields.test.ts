import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schemaMappings } from '@atlas-audit/shared/es/mappings';
import { mappedFieldsOf } from '@atlas-audit/shared/es/zod-to-mapping';
import { allSavedObjects } from '../src/bundle.ts';
import { fieldUses, incompatibleUses, kqlFields } from '../src/field-usage.ts';

const mappings = {
  events: mappedFieldsOf(schemaMappings().events),
  alerts: mappedFieldsOf(schemaMappings().alerts),
  dlq: mappedFieldsOf(schemaMappings().dlq),
};

test('every field used by a panel, query, column filter, saved search, control or data view exists in the mapping with a usable type', () => {
  const uses = fieldUses(allSavedObjects());
  assert.ok(uses.length > 150, `only ${uses.length} field uses found`);
  assert.deepEqual(incompatibleUses(uses, mappings), []);
  const usages = new Set(uses.map((u) => u.usage));
  for (const usage of ['date_histogram', 'terms', 'unique_count', 'max', 'min', 'filter', 'control', 'column', 'time_field']) assert.ok(usages.has(usage as never), usage);
});

test('a terms panel on a text field, a histogram on a keyword and an unknown field are all caught', () => {
  const problems = incompatibleUses(
    [
      { object: 'x', dataView: 'alerts', field: 'message', usage: 'terms' },
      { object: 'x', dataView: 'events', field: 'user.name', usage: 'date_histogram' },
      { object: 'x', dataView: 'events', field: 'user.nickname', usage: 'filter' },
      { object: 'x', dataView: 'events', field: 'atlas.snapshot.state.anything.deep', usage: 'filter' },
    ],
    mappings,
  );
  assert.deepEqual(problems, [
    'x: message is text, unusable for terms',
    'x: user.name is keyword, unusable for date_histogram',
    'x: user.nickname (filter) is not in the events mapping',
  ]);
});

test('KQL field extraction ignores quoted values', () => {
  assert.deepEqual(kqlFields('event.reason : "Bad: thing" and (a.b : 1 or c : *)'), ['event.reason', 'a.b', 'c']);
});
