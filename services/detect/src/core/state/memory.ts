import type { JsonValue } from '@atlas-audit/shared/schema/json-value';
import type { StateChange, StatePort } from './port.ts';

/** In-memory state with dirty tracking: the `scan` backend, and the cache in front of MongoDB. */
export type MemoryState = StatePort & {
  /** Entries changed since the last `markClean`, each once, with its current value. */
  changes(): StateChange[];
  markClean(): void;
  /** Loads entries without marking them dirty (used when a partition is assigned). */
  load(entries: Iterable<StateChange>): void;
  /** Every entry, for snapshots in tests. */
  entries(): StateChange[];
  size(): number;
};

/** Creates an empty in-memory state. Values are stored by reference: callers `set` after mutating. */
export function createMemoryState(): MemoryState {
  const spaces = new Map<string, Map<string, JsonValue>>();
  const dirty = new Map<string, Set<string>>();
  const space = (namespace: string): Map<string, JsonValue> => {
    let s = spaces.get(namespace);
    if (s === undefined) {
      s = new Map();
      spaces.set(namespace, s);
    }
    return s;
  };
  const touch = (namespace: string, key: string): void => {
    let d = dirty.get(namespace);
    if (d === undefined) {
      d = new Set();
      dirty.set(namespace, d);
    }
    d.add(key);
  };
  return {
    get<T extends JsonValue>(namespace: string, key: string): T | undefined {
      return spaces.get(namespace)?.get(key) as T | undefined;
    },
    set(namespace, key, value) {
      space(namespace).set(key, value);
      touch(namespace, key);
    },
    delete(namespace, key) {
      if (spaces.get(namespace)?.delete(key)) touch(namespace, key);
    },
    changes() {
      const out: StateChange[] = [];
      for (const [namespace, keys] of dirty) for (const key of keys) out.push({ namespace, key, value: spaces.get(namespace)?.get(key) });
      return out;
    },
    markClean() {
      dirty.clear();
    },
    load(entries) {
      for (const e of entries) {
        if (e.value === undefined) spaces.get(e.namespace)?.delete(e.key);
        else space(e.namespace).set(e.key, e.value);
      }
    },
    entries() {
      const out: StateChange[] = [];
      for (const [namespace, s] of spaces) for (const [key, value] of s) out.push({ namespace, key, value });
      return out;
    },
    size() {
      let n = 0;
      for (const s of spaces.values()) n += s.size;
      return n;
    },
  };
}
