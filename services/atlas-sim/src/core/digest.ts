import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HTTP Digest (RFC 7616, MD5, qop=auth) as Atlas answers API-key requests. Nonces are stateless:
 * 8 bytes of issue time + 16 bytes of HMAC(secret, time), base64 (32 characters, like Atlas').
 */

export const digestRealm = 'MMS Public API';

/** A nonce issued at `nowMs` under `secret`. */
export function issueNonce(secret: string, nowMs: number): string {
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(Math.floor(nowMs)));
  const mac = createHmac('sha256', secret).update(time).digest().subarray(0, 16);
  return Buffer.concat([time, mac]).toString('base64');
}

/** The issue time of a nonce this secret made, or undefined for a forged or malformed one. */
export function nonceIssuedAt(secret: string, nonce: string): number | undefined {
  const raw = Buffer.from(nonce, 'base64');
  if (raw.length !== 24) return undefined;
  const time = raw.subarray(0, 8);
  const mac = createHmac('sha256', secret).update(time).digest().subarray(0, 16);
  if (!timingSafeEqual(mac, raw.subarray(8))) return undefined;
  return Number(time.readBigUInt64BE());
}

/** The `WWW-Authenticate` challenge value. */
export function digestChallenge(nonce: string, stale: boolean): string {
  return `Digest realm="${digestRealm}", domain="", nonce="${nonce}", algorithm=MD5, qop="auth", stale=${stale}`;
}

/** Parses `Digest k=v, k="v", …` into a map; undefined when the scheme is not Digest. */
export function parseDigestHeader(header: string): Map<string, string> | undefined {
  const match = /^Digest\s+(.*)$/is.exec(header.trim());
  if (match === null) return undefined;
  const out = new Map<string, string>();
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let m = re.exec(match[1] ?? ''); m !== null; m = re.exec(match[1] ?? '')) out.set((m[1] ?? '').toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? ''));
  return out;
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** The expected `response` for the given parameters (also what a client computes). */
export function digestResponse(p: { username: string; password: string; realm: string; method: string; uri: string; nonce: string; nc: string; cnonce: string; qop: string }): string {
  const ha1 = md5(`${p.username}:${p.realm}:${p.password}`);
  const ha2 = md5(`${p.method}:${p.uri}`);
  return md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
}

export type DigestVerdict = { kind: 'ok'; username: string } | { kind: 'stale' } | { kind: 'denied'; why: string };

/**
 * Checks an Authorization header for `method`/`url` against the accepted key pairs. A correct
 * response on an expired nonce is `stale` (the client retries with the fresh nonce).
 */
export function verifyDigest(header: string, method: string, url: string, keys: ReadonlyMap<string, string>, secret: string, nowMs: number, nonceTtlMs: number): DigestVerdict {
  const p = parseDigestHeader(header);
  if (p === undefined) return { kind: 'denied', why: 'not digest' };
  const username = p.get('username') ?? '';
  const password = keys.get(username);
  if (password === undefined) return { kind: 'denied', why: 'unknown key' };
  const nonce = p.get('nonce') ?? '';
  const uri = p.get('uri') ?? '';
  if (uri !== url) return { kind: 'denied', why: 'uri mismatch' };
  if ((p.get('realm') ?? '') !== digestRealm) return { kind: 'denied', why: 'realm' };
  const qop = p.get('qop') ?? '';
  if (qop !== 'auth') return { kind: 'denied', why: 'qop' };
  const issued = nonceIssuedAt(secret, nonce);
  if (issued === undefined) return { kind: 'denied', why: 'bad nonce' };
  const expected = digestResponse({ username, password, realm: digestRealm, method, uri, nonce, nc: p.get('nc') ?? '', cnonce: p.get('cnonce') ?? '', qop });
  const given = p.get('response') ?? '';
  if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return { kind: 'denied', why: 'wrong response' };
  if (nowMs - issued > nonceTtlMs) return { kind: 'stale' };
  return { kind: 'ok', username };
}
