import type { Client } from '@elastic/elasticsearch';
import { AppError } from '@atlas-audit/shared/errors';
import type { SendBulk } from './bulk-coalescer.ts';
import { renderBulkBody } from './core/bulk-body.ts';
import type { BulkItemResult } from './core/settle-item.ts';
import type { IndexerMetrics } from './metrics.ts';

type BulkResponse = { errors?: boolean; items?: Array<Record<string, BulkItemResult>> };

/**
 * Sends `create` actions as one `_bulk` request (only status and error fields come back).
 * A request that fails as a whole (connection refused, timeout, 429, 5xx) throws a retryable
 * AppError; any other whole-request rejection throws a non-retryable one.
 */
export function createSendBulk(client: Client, metrics: IndexerMetrics): SendBulk {
  return async (actions) => {
    const stop = metrics.bulkSeconds.startTimer();
    let response: BulkResponse;
    try {
      response = (await client.transport.request({
        method: 'POST',
        path: '/_bulk',
        querystring: { filter_path: 'items.*.status,items.*.error.type,items.*.error.reason' },
        bulkBody: renderBulkBody(actions),
      })) as BulkResponse;
    } catch (err) {
      stop();
      metrics.bulkRequests.inc({ result: 'failed' });
      const status = (err as { meta?: { statusCode?: number } }).meta?.statusCode;
      const retryable = status === undefined || status === 0 || status === 429 || status >= 500;
      throw new AppError('bulk request failed', { code: retryable ? 'ELASTICSEARCH_UNAVAILABLE' : 'ELASTICSEARCH_REJECTED', retryable, cause: err, details: { status, count: actions.length } });
    }
    stop();
    metrics.bulkRequests.inc({ result: 'ok' });
    const items = response.items ?? [];
    return items.map((item) => Object.values(item)[0] ?? { status: 500, error: { type: 'missing_item' } });
  };
}
