import type { JsonValue } from '@atlas-audit/shared/schema/json-value';
import type { StateChange, StatePort } from './port.ts';

/** In-memory state with dirty tracking: the `scan` backend, and the cache in front of MongoDB. */
export type MemoryState = StatePort & {
  /** Entries changed since the last `markClean`, each once, with its current value (undefined = deleted). */
  changes(): StateChange[];
  markClean(): void;
  /** Loads entries without marking them dirty (used when a partition is assigned). */
  load(entries: Iterable<StateChange>): void;
  /** Every entry, for snapshots in tests. */
  entries(): StateChange[];
  size(): number;
};

type Entry = Record<string, JsonValue>;

/**
 * Creates an empty in-memory state. Layout: one record per key holding every namespace's value,
 * so the rules that look up the same principal share one hash lookup (and its cache lines); a
 * one-entry cache makes the repeated lookups of one event nearly free. Values are stored by
 * reference: callers `set` after mutating. A changed key re-persists all its namespaces (idempotent).
 */
export function createMemoryState(): MemoryState {
  const records = new Map<string, Entry>();
  const dirty = new Set<string>();
  const deleted = new Map<string, Set<string>>();
  let lastKey: string | undefined;
  let lastRecord: Entry | undefined;
  let lastDirty: string | undefined;

  const recordOf = (key: string): Entry | undefined => {
    if (key === lastKey) return lastRecord;
    const r = records.get(key);
    lastKey = key;
    lastRecord = r;
    return r;
  };
  const put = (namespace: string, key: string, value: JsonValue): void => {
    let r = recordOf(key);
    if (r === undefined) {
      r = {};
      records.set(key, r);
      lastKey = key;
      lastRecord = r;
    }
    r[namespace] = value;
  };

  return {
    get<T extends JsonValue>(namespace: string, key: string): T | undefined {
      return recordOf(key)?.[namespace] as T | undefined;
    },
    set(namespace, key, value) {
      put(namespace, key, value);
      if (key !== lastDirty) {
        dirty.add(key);
        lastDirty = key;
      }
      if (deleted.size > 0) deleted.get(key)?.delete(namespace);
    },
    delete(namespace, key) {
      const r = recordOf(key);
      if (r === undefined || !(namespace in r)) return;
      delete r[namespace];
      if (Object.keys(r).length === 0) {
        records.delete(key);
        lastKey = undefined;
        lastRecord = undefined;
      }
      dirty.add(key);
      let d = deleted.get(key);
      if (d === undefined) {
        d = new Set();
        deleted.set(key, d);
      }
      d.add(namespace);
    },
    changes() {
      const out: StateChange[] = [];
      for (const key of dirty) {
        const r = records.get(key);
        if (r !== undefined) for (const namespace of Object.keys(r)) out.push({ namespace, key, value: r[namespace] });
        for (const namespace of deleted.get(key) ?? []) out.push({ namespace, key, value: undefined });
      }
      return out;
    },
    markClean() {
      dirty.clear();
      lastDirty = undefined;
      deleted.clear();
    },
    load(entries) {
      for (const e of entries) {
        if (e.value === undefined) {
          const r = records.get(e.key);
          if (r !== undefined) delete r[e.namespace];
        } else put(e.namespace, e.key, e.value);
      }
    },
    entries() {
      const out: StateChange[] = [];
      for (const [key, r] of records) for (const namespace of Object.keys(r)) out.push({ namespace, key, value: r[namespace] });
      return out;
    },
    size() {
      let n = 0;
      for (const r of records.values()) n += Object.keys(r).length;
      return n;
    },
  };
}
