import type { SiemAlert } from '../core/alert-view.ts';

/** One alert as consumed: the parsed view and the original bytes (forwarded and parked unchanged). */
export type AlertItem = { alert: SiemAlert; raw: string };

/**
 * A SIEM destination. `deliver` resolves only once the destination acknowledged every alert
 * (HTTP 2xx, HEC indexer ack when enabled, socket write flushed for syslog) and throws an
 * AppError (SINK_UNAVAILABLE) otherwise. Errors never carry tokens or secrets.
 */
export type Sink = {
  name: string;
  type: string;
  deliver(items: readonly AlertItem[], signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
};

/** Shared identity of this service in formats (CEF device, syslog/HEC host). */
export type Identity = { hostname: string; device: { vendor: string; product: string; version: string } };
