import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter } from 'prom-client';
import { startServiceHttp } from '@atlas-audit/shared/service-http';

test('/healthz, /readyz and /metrics answer; a failing check makes /readyz 503 without details', async () => {
  let kafkaUp = true;
  const http = await startServiceHttp({
    service: 'unit',
    host: '127.0.0.1',
    port: 0,
    checks: [{ name: 'kafka', check: async () => { if (!kafkaUp) throw new Error('secret-token-abc leaked?'); } }],
  });
  try {
    const events = new Counter({ name: 'unit_events_total', help: 'events', registers: [http.registry] });
    events.inc(3);
    assert.equal((await fetch(`${http.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${http.url}/readyz`)).status, 200);
    kafkaUp = false;
    const notReady = await fetch(`${http.url}/readyz`);
    assert.equal(notReady.status, 503);
    const body = await notReady.text();
    assert.deepEqual(JSON.parse(body).failed, ['kafka']);
    assert.ok(!body.includes('secret-token-abc'));
    kafkaUp = true;
    http.setDraining();
    assert.equal((await fetch(`${http.url}/readyz`)).status, 503);
    const metrics = await (await fetch(`${http.url}/metrics`)).text();
    assert.match(metrics, /unit_events_total\{service="unit"\} 3/);
    assert.equal((await fetch(`${http.url}/nope`)).status, 404);
  } finally {
    await http.close();
  }
});
