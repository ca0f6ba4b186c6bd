import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunningSim } from '../src/server.ts';
import { digestClient, json, oauthToken, payments, startSmall } from './helpers.ts';

let sim: RunningSim;
before(async () => {
  sim = await startSmall({ nonceTtlMs: 300 });
});
after(() => sim.close());

test('a request without credentials gets the Atlas Digest challenge and the pretty-printed 401 body', async () => {
  const res = await fetch(`${sim.url}/api/atlas/v2/groups/${payments}/processes`, { headers: { accept: json } });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.match(res.headers.get('www-authenticate') ?? '', /^Digest realm="MMS Public API", domain="", nonce="[A-Za-z0-9+/=]{32}", algorithm=MD5, qop="auth", stale=false$/);
  assert.equal(await res.text(), '{\n  "error" : 401,\n  "reason" : "Unauthorized",\n  "detail" : "You are not authorized for this resource.",\n  "errorCode" : "UNEXPECTED_ERROR"\n}');
});

test('Digest with the right key pair succeeds after one challenge and reuses the nonce', async () => {
  const client = digestClient(sim.url, 'pubkey1', 'priv-key-1');
  const first = await client.request(`/api/atlas/v2/groups/${payments}/processes`, json);
  assert.equal(first.res.status, 200);
  assert.equal(first.challenges, 1);
  const body = (await first.res.json()) as { results: unknown[] };
  assert.equal(body.results.length, 3);
  const second = await client.request(`/api/atlas/v2/groups/${payments}/clusters`, json);
  assert.equal(second.res.status, 200);
  assert.equal(second.challenges, 0);
  await second.res.arrayBuffer();
});

test('Digest with a wrong private key or an unknown public key stays 401', async () => {
  for (const [user, pass] of [['pubkey1', 'wrong'], ['nobody', 'priv-key-1']] as const) {
    const client = digestClient(sim.url, user, pass);
    const { res } = await client.request(`/api/atlas/v2/groups/${payments}/processes`, json);
    assert.equal(res.status, 401, `${user}`);
  }
});

test('an expired nonce gets stale=true and the client succeeds with the new one', async () => {
  const client = digestClient(sim.url, 'pubkey1', 'priv-key-1');
  assert.equal((await client.request(`/api/atlas/v2/groups/${payments}/processes`, json)).res.status, 200);
  await new Promise((r) => setTimeout(r, 400));
  const again = await client.request(`/api/atlas/v2/groups/${payments}/processes`, json);
  assert.equal(again.res.status, 200);
  assert.equal(again.challenges, 1);
});

test('a Digest response computed for another URI is rejected', async () => {
  const client = digestClient(sim.url, 'pubkey1', 'priv-key-1');
  await client.request(`/api/atlas/v2/groups/${payments}/processes`, json);
  const res = await fetch(`${sim.url}/api/atlas/v2/groups/${payments}/clusters`, { headers: { accept: json, authorization: 'Digest username="pubkey1", realm="MMS Public API", nonce="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", uri="/other", qop=auth, nc=00000001, cnonce="x", response="0"' } });
  assert.equal(res.status, 401);
});

test('service account: client credentials give a Bearer token that works until it expires, then 401', async () => {
  sim.control.setTokenTtlSeconds(1);
  try {
    const res = await oauthToken(sim.url, 'mdb_sa_id_test', 'sa-secret');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 1);
    assert.ok(body.access_token.length >= 32);
    const call = () => fetch(`${sim.url}/api/atlas/v2/groups/${payments}/processes`, { headers: { accept: json, authorization: `Bearer ${body.access_token}` } });
    const ok = await call();
    assert.equal(ok.status, 200);
    await ok.arrayBuffer();
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await call();
    assert.equal(expired.status, 401);
    assert.equal(expired.headers.get('x-error-code'), 'UNAUTHORIZED');
    await expired.arrayBuffer();
    const renewed = await oauthToken(sim.url, 'mdb_sa_id_test', 'sa-secret');
    const token2 = ((await renewed.json()) as { access_token: string }).access_token;
    assert.notEqual(token2, body.access_token);
    const again = await fetch(`${sim.url}/api/atlas/v2/groups/${payments}/processes`, { headers: { accept: json, authorization: `Bearer ${token2}` } });
    assert.equal(again.status, 200);
    await again.arrayBuffer();
  } finally {
    sim.control.setTokenTtlSeconds(3600);
  }
});

test('service account: wrong secret is invalid_client, wrong grant is unsupported_grant_type, revoke kills the token', async () => {
  const bad = await oauthToken(sim.url, 'mdb_sa_id_test', 'nope');
  assert.equal(bad.status, 401);
  assert.deepEqual(await bad.json(), { error: 'invalid_client' });
  const grant = await fetch(`${sim.url}/api/oauth/token`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('mdb_sa_id_test:sa-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=password' });
  assert.equal(grant.status, 400);
  assert.deepEqual(await grant.json(), { error: 'unsupported_grant_type' });
  const token = ((await (await oauthToken(sim.url, 'mdb_sa_id_test', 'sa-secret')).json()) as { access_token: string }).access_token;
  const revoke = await fetch(`${sim.url}/api/oauth/revoke`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('mdb_sa_id_test:sa-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${encodeURIComponent(token)}&token_type_hint=access_token` });
  assert.equal(revoke.status, 200);
  const after = await fetch(`${sim.url}/api/atlas/v2/groups/${payments}/processes`, { headers: { accept: json, authorization: `Bearer ${token}` } });
  assert.equal(after.status, 401);
  await after.arrayBuffer();
});
