import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSearchStore } from '@atlas-audit/shared/elasticsearch';
import { endpoints, uniqueSuffix } from '@atlas-audit/test/env';

test('bulk-indexed documents are searchable and aggregate by terms and date_histogram', { timeout: 120_000 }, async () => {
  const store = createSearchStore({ url: endpoints.elasticsearchUrl, rejectUnauthorized: true });
  const index = `it-es-${uniqueSuffix()}`;
  try {
    assert.match((await store.health()).status, /green|yellow/);
    await store.client.indices.create({
      index,
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: { properties: { '@timestamp': { type: 'date' }, user: { type: 'keyword' }, ip: { type: 'ip' }, n: { type: 'long' } } },
    });
    const users = ['alice', 'bob', 'carol'];
    const start = Date.parse('2025-03-01T00:00:00Z');
    const docs = Array.from({ length: 300 }, (_, i) => ({
      '@timestamp': new Date(start + i * 3_600_000).toISOString(),
      user: users[i % 3],
      ip: `198.51.100.${i % 250}`,
      n: i,
    }));
    const operations = docs.flatMap((doc, i) => [{ create: { _index: index, _id: `doc-${i}` } }, doc]);
    const res = await store.client.bulk({ operations, refresh: 'wait_for' });
    assert.equal(res.errors, false);
    // Same ids again: every item is a 409 conflict, nothing is doubled.
    const again = await store.client.bulk({ operations, refresh: 'wait_for' });
    assert.equal(again.items.filter((item) => item.create?.status === 409).length, docs.length);

    const count = await store.client.count({ index });
    assert.equal(count.count, 300);
    const hit = await store.client.search({ index, query: { term: { ip: '198.51.100.7' } } });
    assert.ok(hit.hits.hits.length >= 1);

    const aggs = await store.client.search({
      index,
      size: 0,
      aggs: {
        by_user: { terms: { field: 'user' } },
        per_day: { date_histogram: { field: '@timestamp', calendar_interval: 'day' } },
      },
    });
    const byUser = (aggs.aggregations?.['by_user'] as { buckets: Array<{ key: string; doc_count: number }> }).buckets;
    assert.deepEqual(byUser.map((b) => [b.key, b.doc_count]).sort(), [['alice', 100], ['bob', 100], ['carol', 100]]);
    const perDay = (aggs.aggregations?.['per_day'] as { buckets: Array<{ doc_count: number }> }).buckets;
    assert.equal(perDay.length, Math.ceil(300 / 24));
    assert.equal(perDay[0]?.doc_count, 24);
    assert.equal(perDay.reduce((sum, b) => sum + b.doc_count, 0), 300);
  } finally {
    await store.client.indices.delete({ index }, { ignore: [404] });
    await store.close();
  }
});
