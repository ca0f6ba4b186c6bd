import { Counter, Gauge, type Registry } from 'prom-client';

export type SiemMetrics = {
  delivered: Counter<'sink'>;
  alreadyDelivered: Counter<'sink'>;
  ledgerErrors: Counter<'op'>;
  parked: Counter<'sink' | 'reason'>;
  failures: Counter<'sink'>;
  redriven: Counter<'sink' | 'outcome'>;
  queueDepth: Gauge<'sink'>;
  invalid: Counter;
};

/** Registers the SIEM service's Prometheus metrics. */
export function createSiemMetrics(registry: Registry): SiemMetrics {
  return {
    delivered: new Counter({ name: 'atlas_siem_delivered_total', help: 'Alerts acknowledged by a sink', labelNames: ['sink'], registers: [registry] }),
    alreadyDelivered: new Counter({ name: 'atlas_siem_already_delivered_total', help: 'Alerts read again that the delivery ledger shows the sink acknowledged before (not sent again)', labelNames: ['sink'], registers: [registry] }),
    ledgerErrors: new Counter({ name: 'atlas_siem_ledger_errors_total', help: 'Failed delivery-ledger reads and writes', labelNames: ['op'], registers: [registry] }),
    parked: new Counter({ name: 'atlas_siem_parked_total', help: 'Alerts parked in the retry topic for a sink', labelNames: ['sink', 'reason'], registers: [registry] }),
    failures: new Counter({ name: 'atlas_siem_delivery_failures_total', help: 'Failed delivery attempts', labelNames: ['sink'], registers: [registry] }),
    redriven: new Counter({ name: 'atlas_siem_redriven_total', help: 'Parked alerts re-driven, by outcome', labelNames: ['sink', 'outcome'], registers: [registry] }),
    queueDepth: new Gauge({ name: 'atlas_siem_queue_depth', help: 'Alerts waiting for a sink', labelNames: ['sink'], registers: [registry] }),
    invalid: new Counter({ name: 'atlas_siem_invalid_alerts_total', help: 'Messages on the alerts topic that are not alerts (dead-lettered)', registers: [registry] }),
  };
}
