import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { chunksOverlapping } from '../src/core/chunks.ts';
import { linesForHostChunk, linesForWindow } from '../src/core/host-chunk.ts';
import { servedLines } from '../src/served.ts';
import type { RunningSim } from '../src/server.ts';
import { bearerClient, gzipV2, payments, smallNow, startSmall } from './helpers.ts';

let sim: RunningSim;
let get: (path: string, accept?: string) => Promise<Response>;
let hosts: string[];
const v2 = '/api/atlas/v2';
const logPath = (host: string, startDate = 1740967200, endDate = startDate + 600) => `${v2}/groups/${payments}/clusters/${host}/logs/mongodb-audit-log.gz?startDate=${startDate}&endDate=${endDate}`;

before(async () => {
  sim = await startSmall({ rateLimits: { groupEvents: { capacity: 3, refillRate: 1, refillDurationSeconds: 2 } } });
  get = await bearerClient(sim.url);
  const body = (await (await get(`${v2}/groups/${payments}/processes`)).json()) as { results: Array<{ hostname: string }> };
  hosts = body.results.map((p) => p.hostname);
});
after(() => sim.close());

test('token bucket: capacity requests pass with RateLimit headers, then 429 RATE_LIMITED_TOKEN_BUCKET with Retry-After; honouring it succeeds', async () => {
  sim.control.resetRateLimits();
  const remaining: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await get(`${v2}/groups/${payments}/events`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('ratelimit-limit'), '3');
    remaining.push(res.headers.get('ratelimit-remaining') ?? '');
    await res.arrayBuffer();
  }
  assert.deepEqual(remaining, ['2', '1', '0']);
  const limited = await get(`${v2}/groups/${payments}/events`);
  assert.equal(limited.status, 429);
  const retryAfter = Number(limited.headers.get('retry-after'));
  assert.equal(retryAfter, 2);
  const body = (await limited.json()) as { errorCode: string; detail: string; parameters: unknown[]; reason: string };
  assert.equal(body.errorCode, 'RATE_LIMITED_TOKEN_BUCKET');
  assert.equal(body.reason, 'Too Many Requests');
  assert.equal(body.detail, `Rate limit exceeded for api/atlas/v2/groups/${payments}/events. Please retry after 2 seconds. Request capacity: 3. Refill rate: 1 per 2 seconds.`);
  assert.deepEqual(body.parameters, [`api/atlas/v2/groups/${payments}/events`, 2, 3, 1, 2]);
  // Another project has its own bucket.
  const other = await get(`${v2}/groups/65f0c0ffee0ddba11ab1e5e2/events`);
  assert.equal(other.status, 200);
  await other.arrayBuffer();
  await new Promise((r) => setTimeout(r, retryAfter * 1000));
  const again = await get(`${v2}/groups/${payments}/events`);
  assert.equal(again.status, 200);
  await again.arrayBuffer();
  const log = sim.control.requests({ endpoint: 'groupEvents', groupId: payments });
  assert.deepEqual(log.slice(-5).map((r) => r.status), [200, 200, 200, 429, 200]);
  const [limitedAt, retriedAt] = [log.at(-2)!.atMs, log.at(-1)!.atMs];
  assert.ok(retriedAt - limitedAt >= retryAfter * 1000);
});

test('http-error fault: a host answers 500 for N requests, then recovers; other hosts are unaffected', async () => {
  const id = sim.control.addFault({ kind: 'http-error', status: 500, endpoint: 'logs', host: hosts[0]!, count: 2 });
  try {
    for (let i = 0; i < 2; i++) {
      const res = await get(logPath(hosts[0]!), gzipV2);
      assert.equal(res.status, 500);
      assert.equal(res.headers.get('x-error-code'), 'UNEXPECTED_ERROR');
      await res.arrayBuffer();
    }
    const other = await get(logPath(hosts[1]!), gzipV2);
    assert.equal(other.status, 200);
    await other.arrayBuffer();
    const recovered = await get(logPath(hosts[0]!), gzipV2);
    assert.equal(recovered.status, 200);
    await recovered.arrayBuffer();
  } finally {
    sim.control.removeFault(id);
  }
});

test('http-error fault with a deadline: 503 until it passes', async () => {
  sim.control.addFault({ kind: 'http-error', status: 503, endpoint: 'processes', untilMs: Date.now() + 300 });
  const during = await get(`${v2}/groups/${payments}/processes`);
  assert.equal(during.status, 503);
  await during.arrayBuffer();
  await new Promise((r) => setTimeout(r, 350));
  const afterwards = await get(`${v2}/groups/${payments}/processes`);
  assert.equal(afterwards.status, 200);
  await afterwards.arrayBuffer();
  assert.equal(sim.control.faults().length, 0);
});

test('429 without Retry-After', async () => {
  sim.control.addFault({ kind: 'rate-limit-no-retry-after', endpoint: 'databaseUsers', count: 1 });
  const res = await get(`${v2}/groups/${payments}/databaseUsers`);
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('retry-after'), null);
  assert.equal(((await res.json()) as { errorCode: string }).errorCode, 'RATE_LIMITED');
});

test('stall fault: the answer comes after the stall', async () => {
  sim.control.addFault({ kind: 'stall', stallMs: 400, endpoint: 'auditLog', count: 1 });
  const t0 = Date.now();
  const res = await get(`${v2}/groups/${payments}/auditLog`);
  assert.equal(res.status, 200);
  assert.ok(Date.now() - t0 >= 390);
  await res.arrayBuffer();
});

test('reset fault: the connection is dropped without a response', async () => {
  sim.control.addFault({ kind: 'reset', endpoint: 'accessList', count: 1 });
  await assert.rejects(get(`${v2}/groups/${payments}/accessList`));
  const ok = await get(`${v2}/groups/${payments}/accessList`);
  assert.equal(ok.status, 200);
  await ok.arrayBuffer();
});

test('corrupt and truncated gzip faults make the body fail to decompress', async () => {
  for (const kind of ['corrupt-gzip', 'truncated-gzip'] as const) {
    sim.control.addFault({ kind, endpoint: 'logs', host: hosts[2]!, count: 1 });
    const res = await get(logPath(hosts[2]!), gzipV2);
    assert.equal(res.status, 200);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.headers.get('content-length'), String(body.length));
    assert.throws(() => gunzipSync(body), kind);
    const clean = Buffer.from(await (await get(logPath(hosts[2]!), gzipV2)).arrayBuffer());
    assert.ok(gunzipSync(clean).length > 0);
  }
});

test('no-data-line fault: a gzip body holding only the "No data" line, not counted as served', async () => {
  sim.control.clearRequests();
  sim.control.addFault({ kind: 'no-data-line', endpoint: 'logs', host: hosts[0]!, count: 1 });
  const res = await get(logPath(hosts[0]!), gzipV2);
  assert.equal(gunzipSync(Buffer.from(await res.arrayBuffer())).toString(), 'No data for given time period or host is unreachable\n');
  assert.equal(servedLines(sim.control.world, sim.control.requests()).size, 0);
});

test('late lines: a window served once lacks the late lines; a poll after the delay gets them', async () => {
  const host = hosts[0]!;
  const startDate = smallNow / 1000 - 1800;
  const endDate = smallNow / 1000 - 600;
  sim.control.setLateLines({ fraction: 0.25, delayMs: 60 * 60000, sinceMs: smallNow - 3600000 });
  try {
    const first = gunzipSync(Buffer.from(await (await get(logPath(host, startDate, endDate), gzipV2)).arrayBuffer())).toString('latin1').split('\n').filter((l) => l !== '');
    const full = linesForWindow(sim.control.world, payments, host, 'mongodb-audit-log', startDate * 1000, endDate * 1000, smallNow + 3600000);
    assert.ok(first.length < full.length * 0.85, `${first.length} vs ${full.length}`);
    sim.control.advance(61 * 60000);
    const second = gunzipSync(Buffer.from(await (await get(logPath(host, startDate, endDate), gzipV2)).arrayBuffer())).toString('latin1').split('\n').filter((l) => l !== '');
    assert.equal(second.length, full.length);
    const secondSet = new Set(second);
    assert.ok(first.every((l) => secondSet.has(l)));
  } finally {
    sim.control.setLateLines(undefined);
    sim.control.setNow(smallNow);
  }
});

test('the request log records every request with its real time, endpoint and status, without an HTTP endpoint for clients', async () => {
  sim.control.clearRequests();
  const t0 = Date.now();
  await (await get(`${v2}/groups/${payments}/clusters`)).arrayBuffer();
  await (await get(`${v2}/groups/${payments}/clusters`, 'text/plain')).arrayBuffer();
  const log = sim.control.requests({ endpoint: 'clusters' });
  assert.deepEqual(log.map((r) => r.status), [200, 406]);
  assert.ok(log.every((r) => r.atMs >= t0 && r.atMs <= Date.now() && r.groupId === payments && r.auth === 'bearer'));
  const probe = await new Promise<number>((resolve, reject) => {
    const req = request(`${sim.url}/control/requests`, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(probe, 401);
});

test('servedLines: overlapping windows count once, a truncated download does not count, late lines count once delivered', async () => {
  sim.control.clearRequests();
  const host = hosts[1]!;
  const base = Date.parse('2025-03-03T05:00:00Z') / 1000;
  await (await get(logPath(host, base, base + 900), gzipV2)).arrayBuffer();
  await (await get(logPath(host, base + 600, base + 1500), gzipV2)).arrayBuffer();
  sim.control.addFault({ kind: 'truncated-gzip', endpoint: 'logs', host, count: 1 });
  await (await get(logPath(host, base + 3000, base + 3300), gzipV2)).arrayBuffer();
  const world = sim.control.world;
  const served = servedLines(world, sim.control.requests());
  const chunkStarts = chunksOverlapping(base * 1000, (base + 1500) * 1000);
  const expected = chunkStarts.reduce((n, c) => n + linesForHostChunk(world, payments, host, 'mongodb-audit-log', c).length, 0);
  assert.equal(chunkStarts.length, 6);
  assert.equal(served.size, expected);
  assert.ok([...served.values()].every((l) => l.chunkStart >= chunkStarts[0]! && l.chunkStart <= chunkStarts.at(-1)!));
});
