import type { Client } from '@elastic/elasticsearch';
import { AppError } from '@atlas-audit/shared/errors';
import { indexLayout } from '@atlas-audit/shared/es/index-names';
import { adminActionsQuery, alertsQuery, authenticationQuery, lastSuccessQuery, lifecycleQuery, type Window } from '../core/activity-queries.ts';
import { summariseActivity, type ActivitySummary } from '../core/activity.ts';

/** Reads what principals did in a window. */
export type ActivitySource = { summarise(window: Window, lookbackDays: number): Promise<ActivitySummary> };

/**
 * Activity from Elasticsearch: five aggregation-only searches over the events indices and the
 * alerts index of a namespace (missing indices count as empty). Throws a retryable AppError
 * when Elasticsearch fails.
 */
export function createEsActivitySource(client: Client, namespace: string): ActivitySource {
  const layout = indexLayout(namespace);
  async function search(index: string, body: Record<string, unknown>): Promise<unknown> {
    try {
      return await client.search({ index, ignore_unavailable: true, allow_no_indices: true, ...body });
    } catch (err) {
      throw new AppError('elasticsearch review query failed', { code: 'ELASTICSEARCH_UNAVAILABLE', retryable: true, cause: err });
    }
  }
  return {
    async summarise(window, lookbackDays) {
      const sinceIso = new Date(Date.parse(window.toIso) - lookbackDays * 86_400_000).toISOString();
      const [auth, lastSuccess, admin, alerts, lifecycle] = await Promise.all([
        search(layout.eventsPattern, authenticationQuery(window)),
        search(layout.eventsPattern, lastSuccessQuery(window, sinceIso)),
        search(layout.eventsPattern, adminActionsQuery(window)),
        search(layout.alertsPattern, alertsQuery(window)),
        search(layout.eventsPattern, lifecycleQuery(window)),
      ]);
      return summariseActivity({ auth, lastSuccess, admin, alerts, lifecycle });
    },
  };
}
