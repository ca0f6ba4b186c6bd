import type { JsonValue } from '@atlas-audit/shared/schema/json-value';

/**
 * The state port: rules read and write JSON-plain values by (namespace, key). It is synchronous
 * on purpose: the hot path never awaits. A durable backend (MongoDB) sits behind an in-memory
 * cache that the shell loads when a partition is assigned and flushes (dirty entries only) before
 * committing offsets. Rules make every update idempotent (sets keyed by event id, min/max of
 * event times), so re-applying an event already persisted changes nothing.
 */
export interface StatePort {
  get<T extends JsonValue>(namespace: string, key: string): T | undefined;
  set(namespace: string, key: string, value: JsonValue): void;
  delete(namespace: string, key: string): void;
}

/** One changed entry; `value` undefined means deleted. */
export type StateChange = { namespace: string; key: string; value: JsonValue | undefined };
