import type { Client } from '@elastic/elasticsearch';
import { AppError } from '@atlas-audit/shared/errors';
import type { Review } from './core/review-model.ts';
import { reviewIndexMapping, reviewIndexName, reviewRowDocs } from './core/review-docs.ts';

export type RowIndexer = { index(review: Review): Promise<{ index: string; indexed: number }> };

/**
 * Indexes review rows into `atlas-audit-review-<namespace>` (created with its strict mapping on
 * first use), `_id` = review id + principal, refresh wait_for so the dashboard sees them at once.
 * Rows of an earlier run of the same review that are no longer present are deleted. Throws a
 * retryable AppError when Elasticsearch fails or rejects a row.
 */
export function createRowIndexer(client: Client, namespace: string): RowIndexer {
  const index = reviewIndexName(namespace);
  let ensured = false;
  async function ensureIndex(): Promise<void> {
    if (ensured) return;
    const exists = await client.indices.exists({ index });
    if (!exists) {
      try {
        await client.indices.create({ index, settings: { number_of_shards: 1, auto_expand_replicas: '0-1' }, mappings: reviewIndexMapping() as never });
      } catch (err) {
        const type = (err as { body?: { error?: { type?: string } } }).body?.error?.type;
        if (type !== 'resource_already_exists_exception') throw err;
      }
    }
    ensured = true;
  }
  return {
    async index(review) {
      try {
        await ensureIndex();
        const docs = reviewRowDocs(review);
        await client.deleteByQuery({ index, refresh: true, conflicts: 'proceed', query: { bool: { filter: [{ term: { 'review.id': review.id } }], must_not: [{ ids: { values: docs.map((d) => d.id) } }] } } });
        if (docs.length === 0) return { index, indexed: 0 };
        const operations = docs.flatMap((d) => [{ index: { _index: index, _id: d.id } }, d.doc]);
        const res = await client.bulk({ refresh: 'wait_for', operations });
        if (res.errors) {
          const first = res.items.find((i) => i.index?.error)?.index?.error;
          throw new AppError(`review rows rejected: ${first?.type ?? 'unknown'}: ${first?.reason ?? ''}`, { code: 'ELASTICSEARCH_REJECTED', retryable: false });
        }
        return { index, indexed: docs.length };
      } catch (err) {
        if (err instanceof AppError) throw err;
        throw new AppError('elasticsearch review indexing failed', { code: 'ELASTICSEARCH_UNAVAILABLE', retryable: true, cause: err });
      }
    },
  };
}
