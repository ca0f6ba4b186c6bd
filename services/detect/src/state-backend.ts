import type { StateChange } from './core/state/port.ts';

/**
 * Durable rule state per partition. `save` is fenced by offset: an entry is only overwritten by a
 * save whose `throughOffset` is higher than the one that wrote it, so a replica that lost its
 * partition in a rebalance can never roll back the state its successor already persisted.
 */
export type StateBackend = {
  load(partition: number): Promise<StateChange[]>;
  save(partition: number, changes: readonly StateChange[], throughOffset: number): Promise<void>;
};

/** An in-memory StateBackend (JSON copies, fenced like the MongoDB one), for run-loop tests. */
export function createMemoryBackend(): StateBackend & { size(): number } {
  const docs = new Map<string, { p: number; n: string; k: string; v: string; o: number }>();
  return {
    async load(partition) {
      const out: StateChange[] = [];
      for (const d of docs.values()) if (d.p === partition) out.push({ namespace: d.n, key: d.k, value: JSON.parse(d.v) as StateChange['value'] });
      return out;
    },
    async save(partition, changes, throughOffset) {
      for (const c of changes) {
        const id = `${partition}\u0000${c.namespace}\u0000${c.key}`;
        const prior = docs.get(id);
        if (prior !== undefined && prior.o >= throughOffset) continue;
        if (c.value === undefined) docs.delete(id);
        else docs.set(id, { p: partition, n: c.namespace, k: c.key, v: JSON.stringify(c.value), o: throughOffset });
      }
    },
    size: () => docs.size,
  };
}
