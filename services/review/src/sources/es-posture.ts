import type { Client } from '@elastic/elasticsearch';
import { AppError } from '@atlas-audit/shared/errors';
import { indexLayout } from '@atlas-audit/shared/es/index-names';
import type { PostureEvent } from '../core/posture.ts';
import type { PostureSource } from './mongo-posture.ts';

const PAGE = 1_000;

/**
 * Posture from Elasticsearch: the `atlas.posture` events (state snapshots and diffs of database
 * users and custom roles) that the indexer stores with every other event, read in time order
 * with search_after, `_source` limited to the timestamp and the snapshot/diff. Throws a
 * retryable AppError when Elasticsearch fails.
 */
export function createEsPostureSource(client: Client, namespace: string): PostureSource {
  const layout = indexLayout(namespace);
  return {
    async events(project, toIso) {
      const out: PostureEvent[] = [];
      let after: Array<string | number> | undefined;
      try {
        for (;;) {
          const res = await client.search<PostureEvent>({
            index: layout.eventsPattern,
            ignore_unavailable: true,
            allow_no_indices: true,
            size: PAGE,
            _source: ['@timestamp', 'atlas.snapshot', 'atlas.diff'],
            sort: [{ '@timestamp': 'asc' }, { 'event.id': 'asc' }],
            ...(after ? { search_after: after } : {}),
            query: {
              bool: {
                filter: [
                  { term: { 'cloud.project.id': project } },
                  { term: { 'event.dataset': 'atlas.posture' } },
                  { range: { '@timestamp': { lte: toIso } } },
                  { bool: { should: [{ terms: { 'atlas.snapshot.kind': ['database_user', 'custom_role'] } }, { terms: { 'atlas.diff.resource_type': ['database_user', 'custom_role'] } }], minimum_should_match: 1 } },
                ],
              },
            },
          });
          for (const hit of res.hits.hits) if (hit._source) out.push(hit._source);
          const last = res.hits.hits[res.hits.hits.length - 1];
          if (res.hits.hits.length < PAGE || last?.sort === undefined) return out;
          after = last.sort as Array<string | number>;
        }
      } catch (err) {
        throw new AppError('elasticsearch posture query failed', { code: 'ELASTICSEARCH_UNAVAILABLE', retryable: true, cause: err });
      }
    },
  };
}
