import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type DetectMetrics = {
  events: Counter<'outcome'>;
  alerts: Counter<'rule' | 'severity'>;
  batchSeconds: Histogram;
  statePersisted: Counter;
  partitionsOwned: Gauge;
};

/** Registers the detect service's metrics in `registry`. */
export function createDetectMetrics(registry: Registry): DetectMetrics {
  return {
    events: new Counter({ name: 'atlas_detect_events_total', help: 'Event records consumed, by outcome (evaluated, dlq)', labelNames: ['outcome'], registers: [registry] }),
    alerts: new Counter({ name: 'atlas_detect_alerts_total', help: 'Alerts produced, by rule and severity', labelNames: ['rule', 'severity'], registers: [registry] }),
    batchSeconds: new Histogram({ name: 'atlas_detect_batch_duration_seconds', help: 'Time to evaluate, produce and persist one batch', buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] }),
    statePersisted: new Counter({ name: 'atlas_detect_state_entries_persisted_total', help: 'State entries written to MongoDB', registers: [registry] }),
    partitionsOwned: new Gauge({ name: 'atlas_detect_partitions_owned', help: 'Partitions whose state is loaded', registers: [registry] }),
  };
}
