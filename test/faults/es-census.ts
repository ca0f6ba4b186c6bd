import type { Client } from '@elastic/elasticsearch';
import { indexLayout } from '@atlas-audit/shared/es/index-names';

/**
 * What a sink holds against what a fault test expected there: exact, by id (a composite
 * aggregation paged to the end for Elasticsearch; cardinality would be approximate).
 */
export type Census = {
  /** Records (documents, messages) at the sink. */
  records: number;
  /** Distinct ids among them. */
  distinct: number;
  /** Expected ids missing at the sink. */
  lost: number;
  /** Records beyond one per id. */
  duplicated: number;
  /** Distinct ids at the sink that were never expected. */
  unexpected: number;
};

/** Compares a list of ids (one per record at the sink) with the expected set. */
export function censusOf(ids: readonly string[], expected: ReadonlySet<string>): Census {
  const distinct = new Set(ids);
  let lost = 0;
  for (const id of expected) if (!distinct.has(id)) lost += 1;
  let unexpected = 0;
  for (const id of distinct) if (!expected.has(id)) unexpected += 1;
  return { records: ids.length, distinct: distinct.size, lost, duplicated: ids.length - distinct.size, unexpected };
}

/** Every document's `field` value in `index` (one entry per document, only those matching `query` when given), after a refresh; [] when the index does not exist. */
export async function idsInIndex(es: Client, index: string, field = 'event.id', query?: Record<string, unknown>): Promise<string[]> {
  await es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  const ids: string[] = [];
  let after: Record<string, string | number | null> | undefined;
  for (;;) {
    const res = await es.search({
      index,
      ignore_unavailable: true,
      allow_no_indices: true,
      size: 0,
      ...(query ? { query } : {}),
      aggs: { ids: { composite: { size: 10_000, sources: [{ id: { terms: { field } } }], ...(after ? { after } : {}) } } },
    });
    const agg = res.aggregations?.['ids'] as { after_key?: Record<string, string>; buckets: Array<{ key: { id: string }; doc_count: number }> } | undefined;
    if (!agg || agg.buckets.length === 0) return ids;
    for (const b of agg.buckets) for (let i = 0; i < b.doc_count; i += 1) ids.push(b.key.id);
    if (!agg.after_key) return ids;
    after = agg.after_key;
  }
}

/** Documents in `index` (0 when it does not exist or Elasticsearch does not answer). */
export async function countDocs(es: Client, index: string): Promise<number> {
  try {
    return (await es.count({ index, ignore_unavailable: true, allow_no_indices: true })).count;
  } catch {
    return 0;
  }
}

/** Deletes every index and template of `namespace` (what an indexer with that namespace created); idempotent. */
export async function deleteNamespace(es: Client, namespace: string): Promise<void> {
  const layout = indexLayout(namespace);
  await es.indices.delete({ index: `${layout.eventsPattern},${layout.alertsPattern},${layout.dlqPattern}`, ignore_unavailable: true, allow_no_indices: true });
  const p = layout.templatePrefix;
  for (const name of [`${p}-events`, `${p}-alerts`, `${p}-dlq`]) await es.indices.deleteIndexTemplate({ name }, { ignore: [404] });
  for (const name of [`${p}-settings`, `${p}-events-mappings`, `${p}-alerts-mappings`, `${p}-dlq-mappings`]) await es.cluster.deleteComponentTemplate({ name }, { ignore: [404] });
}
