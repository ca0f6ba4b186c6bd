import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAtlasHttpClient, endpointFamilies, type EndpointFamily, type FamilyLimits } from '../src/atlas/http-client.ts';
import { unhintedRateLimitDelayMs } from '../src/core/rate-limit.ts';
import type { AtlasAuth } from '../src/atlas/auth.ts';

const noAuth: AtlasAuth = { kind: 'digest', header: async () => undefined, unauthorized: async () => false };
const limits = Object.fromEntries(endpointFamilies.map((f) => [f, { concurrency: 1, intervalCap: 1000, intervalMs: 1000 }])) as Record<EndpointFamily, FamilyLimits>;

/** A loopback server answering the first `refusals` requests with 429 (headers as given), then 200; it records arrival times. */
async function refusingServer(refusals: number, headers: Record<string, string>, body: string): Promise<{ server: Server; url: string; arrivals: number[] }> {
  const arrivals: number[] = [];
  const server = createServer((_req, res) => {
    arrivals.push(Date.now());
    if (arrivals.length <= refusals) res.writeHead(429, { 'content-type': 'application/json', ...headers }).end(body);
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"results":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals };
}

test('a 429 naming no delay closes the gate for 1 s, doubling with every further 429 in a row, capped', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => unhintedRateLimitDelayMs(n, 1000, 10_000)), [1000, 2000, 4000, 8000, 10_000, 10_000]);
  assert.equal(unhintedRateLimitDelayMs(0, 1000, 10_000), 1000, 'a streak under 1 counts as the first');
});

test('429s without Retry-After: the client comes back after 1 s, 2 s, 4 s, not at a fixed pace', { timeout: 30_000 }, async () => {
  const { server, url, arrivals } = await refusingServer(3, {}, '{"error":429,"errorCode":"RATE_LIMITED","detail":"Too many requests."}');
  try {
    const client = createAtlasHttpClient({ baseUrl: url, auth: noAuth, limits, timeoutMs: 5_000, retry: { attempts: 6, baseDelayMs: 10, maxDelayMs: 30_000 } });
    const res = await client.get({ family: 'logs', scope: 'p1', path: 'groups/p1/processes' });
    assert.equal(res.status, 200);
    const gaps = arrivals.slice(1).map((t, i) => t - (arrivals[i] ?? 0));
    assert.equal(gaps.length, 3);
    [1000, 2000, 4000].forEach((want, i) => assert.ok((gaps[i] ?? 0) >= want - 20 && (gaps[i] ?? 0) < want + 900, `gap ${i + 1}: ${gaps.join(', ')} ms`));
  } finally {
    server.close();
  }
});

test('429s with Retry-After keep to the server\'s delay and do not grow', { timeout: 30_000 }, async () => {
  const { server, url, arrivals } = await refusingServer(3, { 'retry-after': '1' }, '{"error":429}');
  try {
    const client = createAtlasHttpClient({ baseUrl: url, auth: noAuth, limits, timeoutMs: 5_000, retry: { attempts: 6, baseDelayMs: 10, maxDelayMs: 30_000 } });
    assert.equal((await client.get({ family: 'logs', scope: 'p1', path: 'x' })).status, 200);
    const gaps = arrivals.slice(1).map((t, i) => t - (arrivals[i] ?? 0));
    assert.ok(gaps.every((g) => g >= 980 && g < 1_900), `each wait is Retry-After: ${gaps.join(', ')} ms`);
  } finally {
    server.close();
  }
});
