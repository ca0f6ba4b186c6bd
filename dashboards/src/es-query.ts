import type { Bucket, Condition, Metric, PanelSpec } from './panel-spec.ts';

/**
 * Translates a panel spec into the Elasticsearch request Kibana's Lens would send for it
 * (filter context, nested bucket aggregations, metric sub-aggregations), so tests can run it
 * against real data. Pure.
 */

export type EsQuery = Record<string, unknown>;

/** The ES query of a condition. */
export function conditionQuery(condition: Condition): EsQuery {
  if ('or' in condition) return { bool: { should: condition.or.map(conditionQuery), minimum_should_match: 1 } };
  if ('not' in condition) return { bool: { must_not: [conditionQuery(condition.not)] } };
  if ('exists' in condition) return { exists: { field: condition.field } };
  return { terms: { [condition.field]: condition.anyOf.map((v) => (typeof v === 'boolean' ? String(v) : v)) } };
}

function metricAgg(metric: Metric): EsQuery | undefined {
  let agg: EsQuery | undefined;
  if (metric.kind === 'unique_count') agg = { cardinality: { field: metric.field } };
  else if (metric.kind === 'max') agg = { max: { field: metric.field } };
  else if (metric.kind === 'min') agg = { min: { field: metric.field } };
  if (!metric.where || metric.where.length === 0) return agg;
  return { filter: { bool: { filter: metric.where.map(conditionQuery) } }, ...(agg ? { aggs: { value: agg } } : {}) };
}

/**
 * A bucket aggregation. Terms are ordered like Lens orders them (by the metric column
 * `orderBy`, descending): by `_count`, or by a copy of the metric placed under the terms
 * aggregation itself (Lens's "orderAgg"), since ES cannot order by a metric below another
 * bucket level.
 */
function bucketAgg(bucket: Bucket, interval: string, metrics: readonly Metric[]): EsQuery {
  if (bucket.kind === 'date_histogram') return { date_histogram: { field: bucket.field, fixed_interval: bucket.interval ?? interval, min_doc_count: 1 } };
  const metric = metrics[bucket.orderBy ?? 0];
  if (!metric) return { terms: { field: bucket.field, size: bucket.size, order: { _key: 'asc' } } };
  const orderAgg = metricAgg(metric);
  if (!orderAgg) return { terms: { field: bucket.field, size: bucket.size, order: metric.where ? { 'order_metric>_count': 'desc' } : { _count: 'desc' } }, ...(metric.where ? { aggs: { order_metric: { filter: { bool: { filter: metric.where.map(conditionQuery) } } } } } : {}) };
  const path = metric.where ? 'order_metric>value' : 'order_metric';
  return { terms: { field: bucket.field, size: bucket.size, order: { [path]: 'desc' } }, aggs: { order_metric: orderAgg } };
}

/** The search body for a panel over [fromIso, toIso]: `size: 0`, nested aggregations b0 > b1 > …, metrics m0, m1, … at the leaves. */
export function panelSearchBody(panel: PanelSpec, timeField: string, fromIso: string, toIso: string, interval = '1h'): EsQuery {
  const metrics: Record<string, EsQuery> = {};
  panel.metrics.forEach((m, i) => {
    const agg = metricAgg(m);
    if (agg) metrics[`m${i}`] = agg;
  });
  let aggs: Record<string, EsQuery> = metrics;
  for (let i = panel.buckets.length - 1; i >= 0; i--) {
    const bucket = panel.buckets[i];
    if (!bucket) continue;
    const agg = bucketAgg(bucket, interval, panel.metrics);
    const children = { ...((agg['aggs'] as Record<string, EsQuery> | undefined) ?? {}), ...aggs };
    aggs = { [`b${i}`]: { ...agg, ...(Object.keys(children).length > 0 ? { aggs: children } : {}) } };
  }
  return {
    size: 0,
    track_total_hits: true,
    query: { bool: { filter: [{ range: { [timeField]: { gte: fromIso, lte: toIso, format: 'strict_date_optional_time' } } }, ...panel.where.map(conditionQuery)] } },
    ...(Object.keys(aggs).length > 0 ? { aggs } : {}),
  };
}

export type PanelRow = { keys: string[]; docCount: number; metrics: Array<number | null> };

type AggNode = { doc_count?: number; buckets?: AggNode[]; key?: unknown; key_as_string?: string; value?: number | null; [name: string]: unknown };

/** Flattens a panel's aggregation response into rows (one per leaf bucket; one row when there are no buckets). */
export function rowsOf(panel: PanelSpec, response: { hits: { total: number | { value: number } }; aggregations?: Record<string, unknown> }): PanelRow[] {
  const total = typeof response.hits.total === 'number' ? response.hits.total : response.hits.total.value;
  const rows: PanelRow[] = [];
  const metricValues = (node: AggNode): Array<number | null> =>
    panel.metrics.map((m, i) => {
      if (m.kind === 'count' && !m.where) return node.doc_count ?? total;
      const agg = node[`m${i}`] as AggNode | undefined;
      if (!agg) return null;
      if (m.kind === 'count') return agg.doc_count ?? null;
      const inner = m.where ? (agg['value'] as AggNode | undefined) : agg;
      return typeof inner?.value === 'number' ? inner.value : null;
    });
  const walk = (node: AggNode, depth: number, keys: string[]): void => {
    if (depth === panel.buckets.length) {
      rows.push({ keys, docCount: node.doc_count ?? total, metrics: metricValues(node) });
      return;
    }
    const agg = node[`b${depth}`] as AggNode | undefined;
    for (const bucket of agg?.buckets ?? []) walk(bucket, depth + 1, [...keys, bucket.key_as_string ?? String(bucket.key)]);
  };
  walk({ ...(response.aggregations ?? {}), doc_count: total } as AggNode, 0, []);
  return rows;
}
