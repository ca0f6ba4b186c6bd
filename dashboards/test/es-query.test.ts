import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionQuery, panelSearchBody, rowsOf } from '../src/es-query.ts';
import type { PanelSpec } from '../src/panel-spec.ts';

const panel: PanelSpec = {
  id: 'x',
  title: 'x',
  dataView: 'events',
  visual: 'table',
  where: [{ field: 'event.outcome', anyOf: ['failure'] }],
  buckets: [{ kind: 'terms', field: 'source.ip', size: 5, orderBy: 1 }, { kind: 'date_histogram', field: '@timestamp' }],
  metrics: [{ kind: 'count' }, { kind: 'min', field: '@timestamp' }, { kind: 'max', field: '@timestamp', where: [{ field: 'event.dataset', anyOf: ['atlas.access'] }] }],
  expect: { minRows: 1 },
};

test('a panel becomes a filtered, nested aggregation ordered the way Lens orders it', () => {
  const body = panelSearchBody(panel, '@timestamp', '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '1h') as { query: { bool: { filter: unknown[] } }; aggs: Record<string, { terms: { order: unknown }; aggs: Record<string, unknown> }> };
  assert.deepEqual(body.query.bool.filter[1], { terms: { 'event.outcome': ['failure'] } });
  const b0 = body.aggs['b0'];
  assert.deepEqual(b0?.terms.order, { order_metric: 'desc' }, 'ordered by the min(@timestamp) column like Lens');
  assert.deepEqual(b0?.aggs['order_metric'], { min: { field: '@timestamp' } });
  const b1 = b0?.aggs['b1'] as { date_histogram: { fixed_interval: string }; aggs: Record<string, unknown> };
  assert.equal(b1.date_histogram.fixed_interval, '1h');
  assert.deepEqual(Object.keys(b1.aggs), ['m1', 'm2']);
  assert.deepEqual(b1.aggs['m2'], { filter: { bool: { filter: [{ terms: { 'event.dataset': ['atlas.access'] } }] } }, aggs: { value: { max: { field: '@timestamp' } } } });
});

test('conditions translate to bool queries; booleans match flattened keyword values', () => {
  assert.deepEqual(conditionQuery({ not: { or: [{ field: 'a', exists: true }, { field: 'b', anyOf: [true] }] } }), {
    bool: { must_not: [{ bool: { should: [{ exists: { field: 'a' } }, { terms: { b: ['true'] } }], minimum_should_match: 1 } }] },
  });
});

test('responses flatten into one row per leaf bucket with metric values', () => {
  const rows = rowsOf(panel, {
    hits: { total: { value: 3 } },
    aggregations: {
      b0: {
        buckets: [
          { key: '10.0.0.1', doc_count: 3, b1: { buckets: [{ key: 1, key_as_string: '2026-01-01T00:00:00.000Z', doc_count: 3, m1: { value: 5 }, m2: { doc_count: 1, value: { value: 7 } } }] } },
        ],
      },
    },
  });
  assert.deepEqual(rows, [{ keys: ['10.0.0.1', '2026-01-01T00:00:00.000Z'], docCount: 3, metrics: [3, 5, 7] }]);
});
