import { createHash } from 'node:crypto';

/**
 * HTTP Digest access authentication (RFC 7616) with MD5 and qop=auth, as Atlas API keys use:
 * the public key is the user name, the private key the password.
 */

export type DigestChallenge = { realm: string; nonce: string; qop?: string | undefined; opaque?: string | undefined; algorithm?: string | undefined; stale: boolean };

/** Parses a `WWW-Authenticate: Digest …` header, or undefined when it is not a Digest challenge. */
export function parseDigestChallenge(header: string | null | undefined): DigestChallenge | undefined {
  if (header === null || header === undefined) return undefined;
  const match = /^\s*Digest\s+(.*)$/is.exec(header);
  if (match === null) return undefined;
  const params = new Map<string, string>();
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (let m = re.exec(match[1] ?? ''); m !== null; m = re.exec(match[1] ?? '')) {
    params.set((m[1] ?? '').toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? ''));
  }
  const nonce = params.get('nonce');
  if (nonce === undefined) return undefined;
  return {
    realm: params.get('realm') ?? '',
    nonce,
    qop: params.get('qop'),
    opaque: params.get('opaque'),
    algorithm: params.get('algorithm'),
    stale: (params.get('stale') ?? '').toLowerCase() === 'true',
  };
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/**
 * The `Authorization` header value for one request. `nc` is the nonce count (1 for the first
 * use of a nonce), `cnonce` a client nonce the shell draws at random. Pure.
 */
export function digestAuthorization(challenge: DigestChallenge, credentials: { username: string; password: string }, method: string, uri: string, nc: number, cnonce: string): string {
  const ha1 = md5(`${credentials.username}:${challenge.realm}:${credentials.password}`);
  const ha2 = md5(`${method.toUpperCase()}:${uri}`);
  const qops = (challenge.qop ?? '').split(',').map((q) => q.trim());
  const useQop = qops.includes('auth');
  const ncText = nc.toString(16).padStart(8, '0');
  const response = useQop ? md5(`${ha1}:${challenge.nonce}:${ncText}:${cnonce}:auth:${ha2}`) : md5(`${ha1}:${challenge.nonce}:${ha2}`);
  const parts = [
    `username="${quote(credentials.username)}"`,
    `realm="${quote(challenge.realm)}"`,
    `nonce="${quote(challenge.nonce)}"`,
    `uri="${quote(uri)}"`,
    'algorithm=MD5',
    `response="${response}"`,
  ];
  if (useQop) parts.push('qop=auth', `nc=${ncText}`, `cnonce="${quote(cnonce)}"`);
  if (challenge.opaque !== undefined) parts.push(`opaque="${quote(challenge.opaque)}"`);
  return `Digest ${parts.join(', ')}`;
}

function quote(value: string): string {
  return value.replace(/["\\]/g, '\\$&');
}
