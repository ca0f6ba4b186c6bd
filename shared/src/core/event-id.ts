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

/** The first 7 hex digits of a digest as an int (28 bits, a small integer key); any string works, only speed depends on it. */
function digestKey(digest: string): number {
  let key = 0;
  for (let i = 0; i < 7; i++) {
    const code = digest.charCodeAt(i);
    key = (key << 4) | ((code <= 57 ? code - 48 : code - 87) & 15);
  }
  return key;
}

/**
 * Like createOccurrenceCounter, keyed by record digests, so a window of a million lines keeps a
 * million small keys rather than a million copies of the lines. The map is keyed by the first
 * 28 bits of the digest (an int key hashes and compares faster than a 64-character one) and
 * holds the first digest seen with them; a digest seen again, or a different digest sharing
 * those bits, is counted in a second map keyed by the whole digest. The count is exact either way.
 */
export function createDigestCounter(): { next(digest: string): number } {
  const first = new Map<number, string>();
  const repeats = new Map<string, number>();
  return {
    next(digest) {
      const key = digestKey(digest);
      const held = first.get(key);
      if (held === undefined) {
        first.set(key, digest);
        return 0;
      }
      const count = repeats.get(digest) ?? (held === digest ? 1 : 0);
      repeats.set(digest, count + 1);
      return count;
    },
  };
}

/** The occurrence index of each record of one window, in order (see createOccurrenceCounter). */
export function assignOccurrences(records: readonly (string | Uint8Array)[]): number[] {
  const counter = createOccurrenceCounter();
  return records.map((raw) => counter.next(raw));
}
