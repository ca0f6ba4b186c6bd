import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@elastic/elasticsearch';
import { endpoints, uniqueSuffix } from '@atlas-audit/test/env';
import { indexLayout, eventIndexName, dlqIndexName } from '@atlas-audit/shared/es/index-names';
import { installTemplates } from '@atlas-audit/shared/es/install-templates';
import { schemaMappings } from '@atlas-audit/shared/es/mappings';
import { templatesFor } from '@atlas-audit/shared/es/templates';
import { generateSampleData } from '@atlas-audit/dashboards/sample-data';
import { allLensPanels, dashboardSpecs, savedSearches } from '@atlas-audit/dashboards/dashboards-spec';
import { controlFields } from '@atlas-audit/dashboards/panel-spec';
import { dataViews, patternFor } from '@atlas-audit/dashboards/data-views';
import { conditionQuery, panelSearchBody, rowsOf } from '@atlas-audit/dashboards/es-query';

// Loads a realistic day of events (raw Atlas records through the project's normalisers),
// alerts and dead letters into a namespace of the real Elasticsearch, then runs the query
// behind every dashboard panel, control and saved search and checks the answers.
const client = new Client({ node: endpoints.elasticsearchUrl });
const namespace = `t${uniqueSuffix()}`;
const layout = indexLayout(namespace);
const templates = templatesFor(layout, schemaMappings());
const endMs = Date.now() - 60_000;
const data = generateSampleData({ endMs, hours: 24, seed: 42, auditPerHour: 12 });
const fromIso = new Date(endMs - 7 * 24 * 3_600_000).toISOString();
const toIso = new Date(endMs + 60_000).toISOString();

before(async () => {
  assert.deepEqual(data.rejected, [], 'every sample record normalises');
  await installTemplates(client, templates);
  const lines: string[] = [];
  const add = (index: string | undefined, id: string, doc: unknown): void => {
    assert.ok(index);
    lines.push(JSON.stringify({ create: { _index: index, _id: id } }), JSON.stringify(doc));
  };
  for (const e of data.events) add(eventIndexName(layout, e['@timestamp']), e.event.id, e);
  for (const a of data.alerts) add(layout.alertsIndex, a.event.id, a);
  for (const d of data.dlq) add(dlqIndexName(layout, d.timestamp), d.id ?? '', d);
  const res = await client.transport.request<{ errors: boolean; items: Array<Record<string, { status: number; error?: unknown }>> }>({ method: 'POST', path: '/_bulk', querystring: { refresh: 'true' }, bulkBody: lines.join('\n') + '\n' });
  const failed = res.items.map((i) => Object.values(i)[0]).filter((i) => (i?.status ?? 500) >= 300);
  assert.deepEqual(failed.slice(0, 3), [], 'every sample document is accepted by the strict mapping');
});

after(async () => {
  await client.indices.delete({ index: `${layout.eventsPattern},${layout.alertsPattern},${layout.dlqPattern}`, ignore_unavailable: true, allow_no_indices: true });
  for (const t of [...templates].reverse()) {
    if (t.kind === 'index') await client.indices.deleteIndexTemplate({ name: t.name }, { ignore: [404] });
    else await client.cluster.deleteComponentTemplate({ name: t.name }, { ignore: [404] });
  }
  await client.close();
});

async function search(index: string, body: Record<string, unknown>) {
  return client.search({ index, ...body } as Parameters<Client['search']>[0]);
}

for (const panel of allLensPanels()) {
  test(`panel "${panel.title}" (${panel.id}) answers with plausible data`, async () => {
    const body = panelSearchBody(panel, dataViews[panel.dataView].timeField, fromIso, toIso);
    const res = await search(patternFor(panel.dataView, namespace), body);
    const rows = rowsOf(panel, res as never);
    assert.ok(rows.length >= panel.expect.minRows, `${rows.length} rows < ${panel.expect.minRows}`);
    const firstKeys = new Set(rows.map((r) => r.keys[0]));
    for (const value of panel.expect.includes ?? []) assert.ok(firstKeys.has(value), `${value} not among ${[...firstKeys].slice(0, 10).join(', ')}`);
    if (panel.expect.minValue !== undefined) assert.ok((rows[0]?.metrics[0] ?? 0) >= panel.expect.minValue, `value ${rows[0]?.metrics[0]} < ${panel.expect.minValue}`);
    for (const row of rows) {
      panel.buckets.forEach((bucket, i) => {
        const key = row.keys[i] ?? '';
        if (bucket.kind === 'date_histogram') assert.ok(Date.parse(key) >= Date.parse(fromIso) && Date.parse(key) <= Date.parse(toIso), `bucket ${key} outside the range`);
        if (bucket.field.endsWith('.ip')) assert.match(key, /^[0-9a-f.:]+$/, `${key} is not an IP`);
      });
      assert.ok(row.docCount > 0);
      panel.metrics.forEach((metric, i) => {
        const value = row.metrics[i];
        if (value === null || value === undefined) return;
        if ((metric.kind === 'max' || metric.kind === 'min') && metric.field === '@timestamp') assert.ok(value >= Date.parse(fromIso) && value <= Date.parse(toIso), 'timestamp metric in range');
        if (metric.kind === 'unique_count') assert.ok(value >= 0 && value <= row.docCount, 'a distinct count never exceeds the document count');
      });
    }
    if (panel.where.length > 0) {
      const all = await client.count({ index: patternFor(panel.dataView, namespace) });
      const filtered = await client.count({ index: patternFor(panel.dataView, namespace), query: { bool: { filter: panel.where.map(conditionQuery) } } });
      assert.ok(filtered.count > 0 && filtered.count <= all.count, 'the panel filter selects a non-empty subset');
    }
  });
}

test('each dashboard control lists values from its data view', async () => {
  for (const dashboard of dashboardSpecs) {
    for (const control of controlFields) {
      const res = await search(patternFor(dashboard.dataView, namespace), { size: 0, aggs: { values: { terms: { field: control.field, size: 20 } } } });
      const buckets = (res.aggregations?.['values'] as { buckets: unknown[] }).buckets;
      assert.ok(buckets.length >= 1, `${dashboard.id}: control ${control.field} has no values`);
    }
  }
});

test('each saved search finds documents and shows columns that occur in them', async () => {
  for (const saved of savedSearches) {
    const res = await search(patternFor(saved.dataView, namespace), { size: 50, query: { bool: { filter: saved.where.map(conditionQuery) } }, sort: [{ [dataViews[saved.dataView].timeField]: 'desc' }] });
    assert.ok(res.hits.hits.length > 0, `${saved.id} finds nothing`);
    for (const column of saved.columns) {
      const present = res.hits.hits.some((h) => column.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], h._source) !== undefined);
      assert.ok(present, `${saved.id}: column ${column} never has a value`);
    }
  }
});
