import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { startControlServer } from '../src/control-http.ts';
import { bearerClient, payments, smallNow, startSmall } from './helpers.ts';

test('faults given at start apply from the first request', async () => {
  const sim = await startSmall({ faults: [{ kind: 'http-error', status: 502, endpoint: 'processes', count: 1 }] });
  try {
    const get = await bearerClient(sim.url);
    const first = await get(`/api/atlas/v2/groups/${payments}/processes`);
    assert.equal(first.status, 502);
    await first.arrayBuffer();
    const second = await get(`/api/atlas/v2/groups/${payments}/processes`);
    assert.equal(second.status, 200);
    await second.arrayBuffer();
  } finally {
    await sim.close();
  }
});

test('the test-only control port sets faults, clock, late lines and reads the request log', async () => {
  const sim = await startSmall();
  const control = await startControlServer(sim.control, {});
  try {
    assert.notEqual(new URL(control.url).port, new URL(sim.url).port);
    const post = (path: string, body: unknown) => fetch(`${control.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const added = await post('/control/faults', { kind: 'http-error', status: 500, endpoint: 'clusters', count: 1 });
    assert.equal(added.status, 201);
    assert.match(((await added.json()) as { id: string }).id, /^fault-\d+$/);
    const bad = await post('/control/faults', { kind: 'explode' });
    assert.equal(bad.status, 400);
    await bad.arrayBuffer();
    const get = await bearerClient(sim.url);
    const hit = await get(`/api/atlas/v2/groups/${payments}/clusters`);
    assert.equal(hit.status, 500);
    await hit.arrayBuffer();
    const clock = await post('/control/clock', { advanceMs: 60000 });
    assert.deepEqual(await clock.json(), { nowMs: smallNow + 60000 });
    const late = await post('/control/late-lines', { fraction: 0.1, delayMs: 1000 });
    assert.equal(((await late.json()) as { sinceMs: number }).sinceMs, smallNow + 60000);
    const reqs = (await (await fetch(`${control.url}/control/requests?endpoint=clusters`)).json()) as Array<{ status: number }>;
    assert.deepEqual(reqs.map((r) => r.status), [500]);
    const state = (await (await fetch(`${control.url}/control/state`)).json()) as { nowMs: number; lateLines: { fraction: number } };
    assert.equal(state.lateLines.fraction, 0.1);
  } finally {
    await control.close();
    await sim.close();
  }
});

test('main.ts starts from the environment, answers, and exits 0 on SIGTERM', async () => {
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, SIM_PORT: '0', SIM_SCENARIO: fileURLToPath(new URL('../scenarios/test-small.yaml', import.meta.url)), SIM_SERVICE_ACCOUNTS: 'mdb_sa_id_test:sa-secret', SIM_CLOCK: '2025-03-03T10:00:00Z', SIM_CLOCK_SPEED: '0', LOG_LEVEL: 'info',
      SIM_FAULTS: JSON.stringify([{ kind: 'http-error', status: 503, endpoint: 'clusters', count: 1 }]),
      SIM_RATE_LIMITS: JSON.stringify([{ endpoint: 'processes', capacity: 7, refillRate: 1, refillDurationSeconds: 60 }]) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let buffer = '';
      const timer = setTimeout(() => reject(new Error(`no listening line: ${buffer}`)), 15000);
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const m = /"url":"(http:[^"]+)"/.exec(buffer);
        if (m !== null) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const get = await bearerClient(url);
    const res = await get(`/api/atlas/v2/groups/${payments}/processes`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('ratelimit-limit'), '7');
    await res.arrayBuffer();
    const faulted = await get(`/api/atlas/v2/groups/${payments}/clusters`);
    assert.equal(faulted.status, 503);
    await faulted.arrayBuffer();
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('main.ts lists every invalid setting and exits 2, without echoing secrets', async () => {
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const child = spawn(process.execPath, [main], { env: { ...process.env, SIM_PORT: 'abc', SIM_API_KEYS: 'topsecretvalue', SIM_CLOCK: 'later', SIM_FAULTS: '[{"kind":"explode"}]', SIM_LATE_LINES: 'not json' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  assert.equal(code, 2);
  for (const name of ['SIM_PORT', 'SIM_API_KEYS', 'SIM_CLOCK', 'SIM_FAULTS', 'SIM_LATE_LINES']) assert.match(stderr, new RegExp(name));
  assert.doesNotMatch(stderr, /topsecretvalue/);
});

test('two simulators with the same seed serve byte-identical downloads; another seed serves different ones', async () => {
  const bodies: Buffer[] = [];
  for (const seed of [7, 7, 8]) {
    const sim = await startSmall({ seed });
    try {
      const get = await bearerClient(sim.url);
      const host = sim.control.world.projectById.get(payments)!.processes[0]!.hostname;
      const res = await get(`/api/atlas/v2/groups/${payments}/clusters/${host}/logs/mongodb-audit-log.gz?startDate=1740967200&endDate=1740970800`, 'application/vnd.atlas.2023-02-01+gzip');
      bodies.push(Buffer.from(await res.arrayBuffer()));
    } finally {
      await sim.close();
    }
  }
  assert.ok(bodies[0]!.length > 1000);
  assert.ok(bodies[0]!.equals(bodies[1]!));
  assert.ok(!bodies[0]!.equals(bodies[2]!));
});
