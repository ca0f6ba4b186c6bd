import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type IndexerMetrics = {
  registry: Registry;
  documents: Counter<'topic' | 'outcome'>;
  itemRetries: Counter<'reason'>;
  bulkRequests: Counter<'result'>;
  bulkSeconds: Histogram;
  paused: Gauge;
  pending: Gauge;
};

/** Registers the indexer's metrics in `registry`. */
export function createIndexerMetrics(registry: Registry): IndexerMetrics {
  return {
    registry,
    documents: new Counter({ name: 'atlas_indexer_documents_total', help: 'Records settled, by topic and outcome (indexed, duplicate, dlq, dropped)', labelNames: ['topic', 'outcome'], registers: [registry] }),
    itemRetries: new Counter({ name: 'atlas_indexer_item_retries_total', help: 'Bulk items retried, by reason (429, 5xx, unavailable)', labelNames: ['reason'], registers: [registry] }),
    bulkRequests: new Counter({ name: 'atlas_indexer_bulk_requests_total', help: 'Bulk requests, by result', labelNames: ['result'], registers: [registry] }),
    bulkSeconds: new Histogram({ name: 'atlas_indexer_bulk_duration_seconds', help: 'Bulk request duration', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] }),
    paused: new Gauge({ name: 'atlas_indexer_paused', help: '1 while consumption is paused because Elasticsearch is unreachable', registers: [registry] }),
    pending: new Gauge({ name: 'atlas_indexer_pending_documents', help: 'Documents queued or in flight to Elasticsearch', registers: [registry] }),
  };
}
