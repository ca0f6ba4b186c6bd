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

const hexValue = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) hexValue['0123456789abcdef'.charCodeAt(i)] = i;

/** Writes the 8 big-endian 32-bit words of a 64-character lowercase hex digest into `out` at `at`; false if it is not one. */
function digestWords(digest: string, out: Uint32Array, at: number): boolean {
  if (digest.length !== 64) return false;
  for (let w = 0; w < 8; w++) {
    let word = 0;
    for (let c = w * 8; c < w * 8 + 8; c++) {
      const code = digest.charCodeAt(c);
      const value = code < 128 ? (hexValue[code] ?? -1) : -1;
      if (value < 0) return false;
      word = (word << 4) | value;
    }
    out[at + w] = word >>> 0;
  }
  return true;
}

/**
 * Like createOccurrenceCounter, keyed by record digests (hex sha256). The digests are kept as
 * 32 bytes each in one open-addressing table of typed arrays, not as strings in a Map: a window
 * of a million lines then holds 40 MB of flat memory the garbage collector never walks, instead
 * of a million fresh strings it has to copy out of the young generation (measured: that copying
 * cost more than the sha256 itself). Anything that is not a lowercase hex sha256 is counted in
 * a Map, exactly.
 */
export function createDigestCounter(): { next(digest: string): number } {
  let capacity = 1024; // slots, a power of two; at most half full
  let slots = new Int32Array(capacity); // entry index + 1, 0 = empty
  let words = new Uint32Array(8 * 512); // 8 words per entry
  let counts = new Uint32Array(512);
  let entries = 0;
  const probe = new Uint32Array(8);
  const other = new Map<string, number>();

  const find = (table: Int32Array, mask: number, key: Uint32Array, keyAt: number): number => {
    let slot = (key[keyAt + 1] ?? 0) & mask;
    for (;;) {
      const entry = (table[slot] ?? 0) - 1;
      if (entry < 0) return -1 - slot;
      let same = true;
      for (let w = 0; w < 8; w++) {
        if (words[entry * 8 + w] !== key[keyAt + w]) {
          same = false;
          break;
        }
      }
      if (same) return entry;
      slot = (slot + 1) & mask;
    }
  };

  /** Makes room for one more entry; true when the slots were rebuilt (probe positions changed). */
  const grow = (): boolean => {
    if (entries === counts.length) {
      const nextWords = new Uint32Array(words.length * 2);
      nextWords.set(words);
      words = nextWords;
      const nextCounts = new Uint32Array(counts.length * 2);
      nextCounts.set(counts);
      counts = nextCounts;
    }
    if (entries * 2 >= capacity) {
      capacity *= 2;
      slots = new Int32Array(capacity);
      for (let entry = 0; entry < entries; entry++) {
        const free = -1 - find(slots, capacity - 1, words, entry * 8);
        slots[free] = entry + 1;
      }
      return true;
    }
    return false;
  };

  return {
    next(digest) {
      if (!digestWords(digest, probe, 0)) {
        const count = other.get(digest) ?? 0;
        other.set(digest, count + 1);
        return count;
      }
      const found = find(slots, capacity - 1, probe, 0);
      if (found >= 0) {
        const count = counts[found] ?? 0;
        counts[found] = count + 1;
        return count;
      }
      const free = grow() ? -1 - find(slots, capacity - 1, probe, 0) : -1 - found;
      const entry = entries;
      entries += 1;
      words.set(probe, entry * 8);
      counts[entry] = 1;
      slots[free] = entry + 1;
      return 0;
    },
  };
}

/** The occurrence index of each record of one window, in order (see createOccurrenceCounter). */
export function assignOccurrences(records: readonly (string | Uint8Array)[]): number[] {
  const counter = createOccurrenceCounter();
  return records.map((raw) => counter.next(raw));
}
