import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { IngestObserver } from './ports.ts';
import { coverageLabels } from './core/coverage.ts';
import type { EndpointFamily } from './atlas/http-client.ts';

/**
 * Prometheus metrics of the ingest worker: coverage per stream and window status, records by
 * fate, checkpoint age per stream, commits, HTTP responses and retries by endpoint family.
 */
export type IngestMetrics = IngestObserver & {
  httpResponse(family: EndpointFamily, status: number, elapsedMs: number): void;
  httpRetry(family: EndpointFamily, code: string): void;
};

/** Registers the metrics on `registry`; `nowMs` dates checkpoint ages at scrape time. */
export function createIngestMetrics(registry: Registry, nowMs: () => number): IngestMetrics {
  const labelNames = ['project', 'target', 'source'] as const;
  const windows = new Counter({ name: 'atlas_ingest_windows_total', help: 'Windows by coverage status (fetched, empty, truncated, failed)', labelNames: [...labelNames, 'status'], registers: [registry] });
  const records = new Counter({ name: 'atlas_ingest_records_total', help: 'Records per stream by fate (events, duplicates, clipped, invalid, skipped)', labelNames: [...labelNames, 'fate'], registers: [registry] });
  const cursors = new Map<string, { labels: Record<string, string>; cursorMs: number }>();
  new Gauge({
    name: 'atlas_ingest_checkpoint_age_seconds',
    help: 'Seconds between now and each stream checkpoint cursor',
    labelNames: [...labelNames],
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, cursorMs } of cursors.values()) this.set(labels, Math.max(0, (nowMs() - cursorMs) / 1000));
    },
  });
  const committedEvents = new Counter({ name: 'atlas_ingest_events_committed_total', help: 'Events committed to Kafka (including coverage events)', registers: [registry] });
  const committedDlq = new Counter({ name: 'atlas_ingest_dlq_committed_total', help: 'Dead-letter records committed to Kafka', registers: [registry] });
  const commitSeconds = new Histogram({ name: 'atlas_ingest_commit_seconds', help: 'Kafka transaction duration', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] });
  const streams = new Gauge({ name: 'atlas_ingest_streams', help: 'Streams polled by this replica, by kind', labelNames: ['kind'], registers: [registry] });
  const http = new Counter({ name: 'atlas_ingest_http_responses_total', help: 'Atlas API responses by endpoint family and status', labelNames: ['family', 'status'], registers: [registry] });
  const httpSeconds = new Histogram({ name: 'atlas_ingest_http_seconds', help: 'Atlas API response time', labelNames: ['family'], buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30], registers: [registry] });
  const retries = new Counter({ name: 'atlas_ingest_http_retries_total', help: 'Atlas API retries by endpoint family and error code', labelNames: ['family', 'code'], registers: [registry] });
  return {
    coverage(record, cursorMs) {
      const labels = coverageLabels(record.stream);
      windows.inc({ ...labels, status: record.status });
      if (record.stats !== undefined) {
        for (const fate of ['events', 'duplicates', 'clipped', 'invalid', 'skipped'] as const) if (record.stats[fate] > 0) records.inc({ ...labels, fate }, record.stats[fate]);
      }
      if (cursorMs !== undefined) cursors.set(record.stream.key, { labels, cursorMs });
    },
    committed(counts) {
      committedEvents.inc(counts.events);
      committedDlq.inc(counts.dlq);
      commitSeconds.observe(counts.elapsedMs / 1000);
    },
    streams(counts) {
      streams.reset();
      for (const [kind, count] of Object.entries(counts)) streams.set({ kind }, count);
    },
    httpResponse(family, status, elapsedMs) {
      http.inc({ family, status: String(status) });
      httpSeconds.observe({ family }, elapsedMs / 1000);
    },
    httpRetry(family, code) {
      retries.inc({ family, code });
    },
  };
}
