import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startAtlasSim, type RunningSim, type SimOptions } from '../src/server.ts';

/** Shared test fixtures: the small scenario, a simulator on it, and a tiny Digest client. */

export const smallYaml = readFileSync(fileURLToPath(new URL('../scenarios/test-small.yaml', import.meta.url)), 'utf8');
export const payments = '65f0c0ffee0ddba11ab1e5e1';
export const analytics = '65f0c0ffee0ddba11ab1e5e2';
export const acmeOrg = '5f0000000000000000000a01';
export const json = 'application/vnd.atlas.2023-01-01+json';
export const gzipV2 = 'application/vnd.atlas.2023-02-01+gzip';
/** Simulated "now" used by most tests: 10 h into the small scenario. */
export const smallNow = Date.parse('2025-03-03T10:00:00Z');

/** Starts a simulator on the small scenario with a frozen clock at `smallNow` and known credentials. */
export function startSmall(overrides: Partial<SimOptions> = {}): Promise<RunningSim> {
  return startAtlasSim({
    scenario: smallYaml,
    apiKeys: { pubkey1: 'priv-key-1' },
    serviceAccounts: { mdb_sa_id_test: 'sa-secret' },
    clock: { mode: 'offset', startAt: smallNow, speed: 0 },
    ...overrides,
  });
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** A Digest client for one key pair: answers the challenge, reuses the nonce with a growing nc. */
export function digestClient(baseUrl: string, username: string, password: string) {
  let nonce: string | undefined;
  let nc = 0;
  const header = (method: string, uri: string): string => {
    nc++;
    const ncText = nc.toString(16).padStart(8, '0');
    const cnonce = randomBytes(8).toString('hex');
    const ha1 = md5(`${username}:MMS Public API:${password}`);
    const ha2 = md5(`${method}:${uri}`);
    const response = md5(`${ha1}:${nonce}:${ncText}:${cnonce}:auth:${ha2}`);
    return `Digest username="${username}", realm="MMS Public API", nonce="${nonce}", uri="${uri}", algorithm=MD5, qop=auth, nc=${ncText}, cnonce="${cnonce}", response="${response}"`;
  };
  const request = async (path: string, accept: string): Promise<{ res: Response; challenges: number }> => {
    let challenges = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      const headers: Record<string, string> = { accept };
      if (nonce !== undefined) headers['authorization'] = header('GET', path);
      const res = await fetch(`${baseUrl}${path}`, { headers });
      if (res.status !== 401) return { res, challenges };
      challenges++;
      const www = res.headers.get('www-authenticate') ?? '';
      const m = /nonce="([^"]+)"/.exec(www);
      await res.arrayBuffer();
      if (m === null) throw new Error(`no digest challenge: ${www}`);
      if (nonce !== undefined && !/stale=true/.test(www)) return { res, challenges };
      nonce = m[1];
      nc = 0;
    }
    throw new Error('digest: too many challenges');
  };
  return { request };
}

/** Gets a Bearer token for a service account. */
export async function oauthToken(baseUrl: string, clientId: string, secret: string): Promise<Response> {
  return fetch(`${baseUrl}/api/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: 'grant_type=client_credentials',
  });
}

/** A client using one Bearer token for the default service account. */
export async function bearerClient(baseUrl: string): Promise<(path: string, accept?: string) => Promise<Response>> {
  const res = await oauthToken(baseUrl, 'mdb_sa_id_test', 'sa-secret');
  const { access_token: token } = (await res.json()) as { access_token: string };
  return (path, accept = json) => fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}`, accept } });
}
