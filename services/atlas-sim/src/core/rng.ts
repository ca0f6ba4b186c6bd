/**
 * Seeded, deterministic randomness. Every stream is derived from a string key, so a chunk of
 * traffic depends only on (scenario, seed, key) and never on the order of requests.
 */

/** A 32-bit FNV-1a hash of a string, mixed with murmur3's finaliser. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export type Rng = {
  /** A float in [0, 1). */
  next: () => number;
  /** An integer in [min, max] inclusive. */
  int: (min: number, max: number) => number;
  /** One element of a non-empty array. */
  pick: <T>(items: readonly T[]) => T;
  /** True with the given probability. */
  chance: (probability: number) => boolean;
  /** A Poisson-distributed count with mean `lambda`. */
  poisson: (lambda: number) => number;
  /** `count` random bytes. */
  bytes: (count: number) => Uint8Array;
};

/** Creates an sfc32 generator seeded from the key (deterministic for equal keys). */
export function createRng(key: string): Rng {
  let a = hashString(key);
  let b = hashString(`${key}#b`);
  let c = hashString(`${key}#c`);
  let d = 1;
  const nextU32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) nextU32();
  const next = (): number => nextU32() / 4294967296;
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty array');
    return item;
  };
  const poisson = (lambda: number): number => {
    if (lambda <= 0) return 0;
    if (lambda > 30) {
      // Normal approximation: exact sampling is slow for large means and nobody can tell.
      const u = Math.max(next(), 1e-12);
      const v = next();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return Math.max(0, Math.round(lambda + z * Math.sqrt(lambda)));
    }
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = next();
    while (p > limit) {
      k++;
      p *= next();
    }
    return k;
  };
  const bytes = (count: number): Uint8Array => {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i += 4) {
      const word = nextU32();
      for (let j = 0; j < 4 && i + j < count; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  };
  return { next, int, pick, chance: (probability) => next() < probability, poisson, bytes };
}

const hexDigits = '0123456789abcdef';

/** A deterministic 24-hex-digit id (the shape of Atlas group, org and event ids) for a key. */
export function objectIdFor(key: string): string {
  const rng = createRng(`oid:${key}`);
  let out = '';
  for (let i = 0; i < 24; i++) out += hexDigits[rng.int(0, 15)];
  return out;
}

const base36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A deterministic lower-case alphanumeric string of `length` characters for a key. */
export function slugFor(key: string, length: number): string {
  const rng = createRng(`slug:${key}`);
  let out = '';
  for (let i = 0; i < length; i++) out += base36[rng.int(0, 35)];
  return out;
}
