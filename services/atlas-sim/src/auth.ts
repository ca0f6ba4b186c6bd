import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { apiError, type ApiError } from './core/api-error.ts';
import { digestChallenge, issueNonce, verifyDigest } from './core/digest.ts';
import type { SimState } from './state.ts';

/**
 * Request authentication: HTTP Digest for API key pairs, Bearer tokens issued to service
 * accounts by `POST /api/oauth/token`. Token and nonce lifetimes run on real time.
 */

export type AuthOutcome =
  | { ok: true; kind: 'digest' | 'bearer'; principal: string }
  | { ok: false; status: 401; headers: Record<string, string>; body: string; contentType: string };

/** The 401 with a fresh Digest challenge (stale=true when the nonce merely expired). */
export function digestChallengeReply(state: SimState, stale: boolean, body: string): AuthOutcome {
  return {
    ok: false,
    status: 401,
    headers: { 'Www-Authenticate': digestChallenge(issueNonce(state.nonceSecret, state.realNow()), stale) },
    body,
    contentType: 'application/json',
  };
}

/** Authenticates an Admin API request. */
export function authenticate(state: SimState, req: IncomingMessage, unauthorizedBody: string): AuthOutcome {
  const header = req.headers.authorization;
  if (header !== undefined && /^Bearer\s+/i.test(header)) {
    const token = header.replace(/^Bearer\s+/i, '').trim();
    const info = state.tokens.get(token);
    if (info !== undefined && info.expiresAtMs > state.realNow()) return { ok: true, kind: 'bearer', principal: info.clientId };
    if (info !== undefined) state.tokens.delete(token);
    const error = apiError(401, 'UNAUTHORIZED', 'Invalid or expired access token.');
    return { ok: false, status: 401, headers: { 'Www-Authenticate': 'Bearer error="invalid_token"', 'X-Error-Code': 'UNAUTHORIZED' }, body: JSON.stringify(error.body), contentType: 'application/json' };
  }
  if (header === undefined) return digestChallengeReply(state, false, unauthorizedBody);
  const verdict = verifyDigest(header, req.method ?? 'GET', req.url ?? '/', state.apiKeys, state.nonceSecret, state.realNow(), state.nonceTtlMs);
  if (verdict.kind === 'ok') return { ok: true, kind: 'digest', principal: verdict.username };
  return digestChallengeReply(state, verdict.kind === 'stale', unauthorizedBody);
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  if (header === undefined || !/^Basic\s+/i.test(header)) return undefined;
  const decoded = Buffer.from(header.replace(/^Basic\s+/i, '').trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

export type OAuthReply = { status: number; body: string; headers: Record<string, string> };

const oauthJson = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };

/** `POST /api/oauth/token`: client credentials grant for a configured service account. */
export function issueToken(state: SimState, authorization: string | undefined, form: URLSearchParams): OAuthReply {
  const creds = basicCredentials(authorization);
  if (creds === undefined || state.serviceAccounts.get(creds.id) !== creds.secret) {
    return { status: 401, body: JSON.stringify({ error: 'invalid_client' }), headers: { ...oauthJson, 'Www-Authenticate': 'Basic realm="oauth"' } };
  }
  if (form.get('grant_type') !== 'client_credentials') return { status: 400, body: JSON.stringify({ error: 'unsupported_grant_type' }), headers: oauthJson };
  const token = randomBytes(32).toString('base64url');
  const ttl = state.tokenTtlSeconds();
  state.tokens.set(token, { clientId: creds.id, expiresAtMs: state.realNow() + ttl * 1000 });
  return { status: 200, body: JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: ttl }), headers: oauthJson };
}

/** `POST /api/oauth/revoke`: forgets a token (unknown tokens are fine, per RFC 7009). */
export function revokeToken(state: SimState, authorization: string | undefined, form: URLSearchParams): OAuthReply {
  const creds = basicCredentials(authorization);
  if (creds === undefined || state.serviceAccounts.get(creds.id) !== creds.secret) return { status: 401, body: JSON.stringify({ error: 'invalid_client' }), headers: oauthJson };
  const token = form.get('token');
  if (token !== null) {
    const info = state.tokens.get(token);
    if (info !== undefined && info.clientId === creds.id) state.tokens.delete(token);
  }
  return { status: 200, body: '', headers: {} };
}

export type { ApiError };
