import { hash } from 'node:crypto';

/** The parts of a record's origin that take part in its id (the window never does). */
export type IdCoordinates = {
  project?: string | undefined;
  org?: string | undefined;
  host?: string | undefined;
  logName?: string | undefined;
  endpoint?: string | undefined;
};

/**
 * Encodes the coordinates as a length-prefixed string, so that no two different coordinate
 * sets (e.g. host "a|b" vs host "a", log "b") produce the same prefix. Precompute it once
 * per file or request and pass it to `eventIdFromPrefix`.
 */
export function coordinatePrefix(coordinates: IdCoordinates): string {
  const parts = [coordinates.project, coordinates.org, coordinates.host, coordinates.logName, coordinates.endpoint];
  let prefix = 'atlas-audit/event-id/v1';
  for (const part of parts) prefix += part === undefined ? '\n-' : `\n${part.length}:${part}`;
  return `${prefix}\n`;
}

// One reusable buffer for prefix ‖ record (hashing bytes avoids re-encoding the decoded text,
// and copying into it avoids an allocation per record). Single-threaded, used synchronously.
const scratch = Buffer.allocUnsafe(64 * 1024);
let scratchPrefix = '';
let scratchPrefixBytes = 0;

function prefixed(prefix: string, raw: Uint8Array): Uint8Array {
  if (prefix !== scratchPrefix) {
    const length = Buffer.byteLength(prefix);
    if (length + raw.byteLength > scratch.length) return Buffer.concat([Buffer.from(prefix), raw]);
    scratch.write(prefix, 0);
    scratchPrefix = prefix;
    scratchPrefixBytes = length;
  }
  if (scratchPrefixBytes + raw.byteLength > scratch.length) return Buffer.concat([Buffer.from(prefix), raw]);
  scratch.set(raw, scratchPrefixBytes);
  return scratch.subarray(0, scratchPrefixBytes + raw.byteLength);
}

/**
 * Hex sha256 over the coordinate prefix and the raw record bytes: the identity of those bytes at
 * that origin. A string is hashed as its UTF-8 bytes, so a record gives the same digest as text
 * and as the bytes it was decoded from (when they are valid UTF-8).
 */
export function recordDigest(prefix: string, raw: string | Uint8Array): string {
  if (typeof raw === 'string') return hash('sha256', prefix + raw, 'hex');
  return hash('sha256', prefixed(prefix, raw), 'hex');
}

/**
 * The event id from a record digest and its occurrence index: the digest itself for the first
 * occurrence (one hash per record in the common case), sha256(digest ‖ '#' ‖ occurrence) for
 * repeats. Hex, 64 characters.
 */
export function eventIdFromDigest(digest: string, occurrence: number): string {
  return occurrence === 0 ? digest : hash('sha256', `${digest}#${occurrence}`, 'hex');
}

/**
 * The deterministic event id: hex sha256 over the coordinate prefix, the raw record bytes and
 * the occurrence index. Same inputs, same id, on every machine and every run.
 */
export function eventIdFromPrefix(prefix: string, raw: string | Uint8Array, occurrence: number): string {
  return eventIdFromDigest(recordDigest(prefix, raw), occurrence);
}

/** `eventIdFromPrefix(coordinatePrefix(coordinates), raw, occurrence)`. */
export function computeEventId(coordinates: IdCoordinates, raw: string | Uint8Array, occurrence: number): string {
  return eventIdFromPrefix(coordinatePrefix(coordinates), raw, occurrence);
}

/** Turns raw bytes into a Map key that is equal exactly when the bytes are equal. */
function rawKey(raw: string | Uint8Array): string {
  if (typeof raw === 'string') return `s${raw}`;
  return `b${Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1')}`;
}

/**
 * Counts byte-identical records within one download window. `next(raw)` returns 0 for the
 * first occurrence of those bytes, 1 for the second, and so on. Byte-identical audit lines
 * share their `ts`, so every window that holds one holds all of them in file order: the
 * index is the same however the windows overlap. Create one counter per (coordinates, window).
 */
export function createOccurrenceCounter(): { next(raw: string | Uint8Array): number } {
  const seen = new Map<string, number>();
  return {
    next(raw) {
      const key = rawKey(raw);
      const count = seen.get(key) ?? 0;
      seen.set(key, count + 1);
      return count;
    },
  };
}

const HEX_VALUES = new Int8Array(128).fill(-1);
for (const [index, char] of [...'0123456789abcdef'].entries()) HEX_VALUES[char.charCodeAt(0)] = index;

/** Writes a 64-digit lowercase hex digest into `out` as 32 bytes; false for any other string. */
function digestBytes(digest: string, out: Uint8Array): boolean {
  if (digest.length !== 64) return false;
  for (let i = 0; i < 32; i++) {
    const hi = digest.charCodeAt(2 * i);
    const lo = digest.charCodeAt(2 * i + 1);
    const h = hi < 128 ? (HEX_VALUES[hi] ?? -1) : -1;
    const l = lo < 128 ? (HEX_VALUES[lo] ?? -1) : -1;
    if (h < 0 || l < 0) return false;
    out[i] = (h << 4) | l;
  }
  return true;
}

/**
 * Like createOccurrenceCounter, keyed by record digests, for windows of millions of lines. A
 * digest seen for the first time is kept as its 32 bytes in an open-addressing table of typed
 * arrays (about 40 to 80 bytes per digest, and nothing for the garbage collector to trace),
 * instead of a Map holding a 64-character string per line; a digest seen again is counted in a
 * Map keyed by the whole digest (repeats are rare). Any other string is counted in a plain Map.
 * The count is exact: digests are compared in full.
 */
export function createDigestCounter(): { next(digest: string): number } {
  let mask = 1023;
  // Slot -> 1 + index of the digest in `store`; 0 is an empty slot. Kept at most half full.
  let slots = new Int32Array(mask + 1);
  let store = new Uint8Array(512 * 32);
  let size = 0;
  const probe = new Uint8Array(32);
  const repeats = new Map<string, number>();
  const others = new Map<string, number>();
  const slotOf = (bytes: Uint8Array, at: number): number => ((bytes[at] ?? 0) << 16 | (bytes[at + 1] ?? 0) << 8 | (bytes[at + 2] ?? 0) | (bytes[at + 3] ?? 0) << 24) & mask;
  const sameAsProbe = (index: number): boolean => {
    const at = index * 32;
    for (let i = 0; i < 32; i++) if (store[at + i] !== probe[i]) return false;
    return true;
  };
  const grow = (): void => {
    mask = mask * 2 + 1;
    slots = new Int32Array(mask + 1);
    for (let index = 0; index < size; index++) {
      let slot = slotOf(store, index * 32);
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    if (store.length < ((mask + 1) / 2) * 32) {
      const bigger = new Uint8Array(((mask + 1) / 2) * 32);
      bigger.set(store);
      store = bigger;
    }
  };
  return {
    next(digest) {
      if (!digestBytes(digest, probe)) {
        const count = others.get(digest) ?? 0;
        others.set(digest, count + 1);
        return count;
      }
      let slot = slotOf(probe, 0);
      for (let held = slots[slot] ?? 0; held !== 0; held = slots[slot] ?? 0) {
        if (sameAsProbe(held - 1)) {
          const count = repeats.get(digest) ?? 1;
          repeats.set(digest, count + 1);
          return count;
        }
        slot = (slot + 1) & mask;
      }
      store.set(probe, size * 32);
      size += 1;
      slots[slot] = size;
      if (size * 2 >= mask + 1) grow();
      return 0;
    },
  };
}

/** The occurrence index of each record of one window, in order (see createOccurrenceCounter). */
export function assignOccurrences(records: readonly (string | Uint8Array)[]): number[] {
  const counter = createOccurrenceCounter();
  return records.map((raw) => counter.next(raw));
}
