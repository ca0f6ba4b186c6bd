import { randomBytes } from 'node:crypto';
import { AppError } from '@atlas-audit/shared/errors';
import { digestAuthorization, parseDigestChallenge, type DigestChallenge } from '../core/digest.ts';

/**
 * How requests to the Atlas Admin API are authenticated: HTTP Digest with an API key pair, or
 * an OAuth 2.0 service account (client credentials, Bearer token cached and renewed before it
 * expires and after a 401). Secrets stay inside these objects and never reach a log or error.
 */
export type AtlasAuth = {
  readonly kind: 'digest' | 'oauth';
  /** The Authorization header for a request, if one can be computed before the request. */
  header(method: string, uri: string): Promise<string | undefined>;
  /** Learns from a 401; true when the request should be retried once with fresh credentials. */
  unauthorized(wwwAuthenticate: string | null, usedHeader: string | undefined): Promise<boolean>;
};

/** Digest auth with the API key pair; nonces are reused with an increasing count until the server re-challenges. */
export function createDigestAuth(publicKey: string, privateKey: string): AtlasAuth {
  let challenge: DigestChallenge | undefined;
  let nc = 0;
  return {
    kind: 'digest',
    async header(method, uri) {
      if (challenge === undefined) return undefined;
      nc += 1;
      return digestAuthorization(challenge, { username: publicKey, password: privateKey }, method, uri, nc, randomBytes(8).toString('hex'));
    },
    async unauthorized(wwwAuthenticate, usedHeader) {
      const next = parseDigestChallenge(wwwAuthenticate);
      if (next === undefined) return false;
      const wasFresh = usedHeader === undefined || next.stale || next.nonce !== challenge?.nonce;
      challenge = next;
      nc = 0;
      // A rejected header on the nonce we just got means the key pair itself is wrong.
      return wasFresh;
    },
  };
}

export type TokenFetcher = (clientId: string, clientSecret: string) => Promise<{ accessToken: string; expiresInS: number }>;

/**
 * Service-account auth: one token at a time, fetched on first use, renewed `renewBeforeMs`
 * before expiry and after any 401. Concurrent callers share one token request.
 */
export function createOAuth(clientId: string, clientSecret: string, fetchToken: TokenFetcher, options: { renewBeforeMs: number; now: () => number }): AtlasAuth & { tokenRequests(): number } {
  let token: { value: string; expiresAtMs: number } | undefined;
  let pending: Promise<string> | undefined;
  let requests = 0;
  const fresh = (): Promise<string> => {
    pending ??= (async () => {
      try {
        requests += 1;
        const got = await fetchToken(clientId, clientSecret);
        token = { value: got.accessToken, expiresAtMs: options.now() + got.expiresInS * 1000 };
        return got.accessToken;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };
  return {
    kind: 'oauth',
    async header() {
      const current = token;
      if (current !== undefined && options.now() < current.expiresAtMs - options.renewBeforeMs) return `Bearer ${current.value}`;
      return `Bearer ${await fresh()}`;
    },
    async unauthorized(_wwwAuthenticate, usedHeader) {
      if (token !== undefined && usedHeader === `Bearer ${token.value}`) token = undefined;
      return true;
    },
    tokenRequests: () => requests,
  };
}

/** The token fetcher for `POST {base}/api/oauth/token` (client credentials, Basic auth). */
export function oauthTokenFetcher(baseUrl: string, timeoutMs: number): TokenFetcher {
  return async (clientId, clientSecret) => {
    let res: Response;
    try {
      res = await fetch(new URL('/api/oauth/token', baseUrl), {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: 'grant_type=client_credentials',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new AppError('atlas token request failed', { code: 'ATLAS_HTTP_ERROR', retryable: true, cause: err instanceof Error ? new Error(err.name) : undefined });
    }
    const text = await res.text();
    if (res.status === 429 || res.status >= 500) throw new AppError('atlas token request failed', { code: res.status === 429 ? 'ATLAS_RATE_LIMITED' : 'ATLAS_HTTP_ERROR', retryable: true, details: { status: res.status, retryAfter: res.headers.get('retry-after') } });
    if (!res.ok) throw new AppError('atlas service account rejected', { code: 'ATLAS_AUTH_FAILED', retryable: false, details: { status: res.status } });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const obj = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const accessToken = obj['access_token'];
    const expiresIn = obj['expires_in'];
    if (typeof accessToken !== 'string' || accessToken.length === 0) throw new AppError('atlas token response has no access_token', { code: 'ATLAS_AUTH_FAILED', retryable: true, details: { status: res.status } });
    return { accessToken, expiresInS: typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 3600 };
  };
}
