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
        // Rows of an earlier run of this review whose principal is gone (delete-by-query needs
        // the reindex module, which minimal clusters lack: look the ids up instead).
        const wanted = new Set(docs.map((d) => d.id));
        const existing = await client.search({ index, size: 10_000, _source: false, query: { term: { 'review.id': review.id } } });
        const stale = existing.hits.hits.map((h) => h._id).filter((id): id is string => id !== undefined && !wanted.has(id));
        const operations: Array<Record<string, unknown>> = [...stale.map((id) => ({ delete: { _index: index, _id: id } })), ...docs.flatMap((d) => [{ index: { _index: index, _id: d.id } }, d.doc])];
        if (operations.length === 0) return { index, indexed: 0 };
        const res = await client.bulk({ refresh: 'wait_for', operations });
        if (res.errors) {
          const first = res.items.find((i) => i.index?.error ?? i.delete?.error);
          const error = first?.index?.error ?? first?.delete?.error;
          if (error === undefined) return { index, indexed: docs.length };
          throw new AppError(`review rows rejected: ${error.type}: ${error.reason ?? ''}`, { code: 'ELASTICSEARCH_REJECTED', retryable: false });
        }
        return { index, indexed: docs.length };
      } catch (err) {
        if (err instanceof AppError) throw err;
        throw new AppError('elasticsearch review indexing failed', { code: 'ELASTICSEARCH_UNAVAILABLE', retryable: true, cause: err });
      }
    },
  };
}
