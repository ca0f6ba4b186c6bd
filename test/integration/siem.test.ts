import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { createAdmin, createConsumer, createProducer } from '@atlas-audit/shared/kafka';
import { createLogger } from '@atlas-audit/shared/logger';
import { endpoints, uniqueSuffix, waitFor } from '@atlas-audit/test/env';
import { siemConfigSchema } from '@atlas-audit/siem/config';
import { startSiem } from '@atlas-audit/siem/service';
import type { SiemAlert } from '@atlas-audit/siem/core/alert-view';
import { parseCef, sampleAlert } from '../../services/siem/test/fixtures.ts';
import { selfSignedCert, startHec, startTcpSyslog, startTlsSyslog, startWebhook, type SyslogReceiver } from './siem-receivers.ts';

const kafka = { brokers: [...endpoints.kafkaBrokers], clientId: 'it-siem', ssl: false };
const HEC_TOKEN = 'hec-token-0f5e2c1d-9a7b-4c3e-8d2f-1a2b3c4d5e6f';
const HMAC_SECRET = 'whsec-3b9d1f7a5c2e4081';

function alerts(count: number, tag: string): SiemAlert[] {
  return Array.from({ length: count }, (_, i) =>
    sampleAlert({
      id: `${tag}${i.toString(16).padStart(4, '0')}`.padEnd(64, '0').slice(0, 64),
      message: `alert ${i}: user x|y = "z" \\ path\nsecond line`,
      user: { name: i % 2 === 0 ? `app_svc_${i}` : `ops=${i}|admin`, domain: 'admin' },
      source: { ip: `203.0.113.${i + 1}` },
    }),
  );
}

function memoryLog(): { log: ReturnType<typeof createLogger>; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { log: createLogger({ name: 'siem-it', level: 'debug', destination }), text: () => chunks.join('') };
}

function cefOf(message: string): ReturnType<typeof parseCef> {
  return parseCef(message.slice(message.indexOf('CEF:0|')));
}

function syslogIds(receiver: SyslogReceiver): Set<string> {
  return new Set(receiver.messages.map((m) => cefOf(m).ext.get('externalId') ?? ''));
}

const policy = { requestTimeoutMs: 2_000, parkAfterMs: 2_000, retryBaseDelayMs: 100, retryMaxDelayMs: 500, redriveBaseDelayMs: 500, redriveMaxDelayMs: 3_000, batchMax: 10 };

async function topics(suffix: string) {
  const names = { alerts: `it-siem-alerts-${suffix}`, retry: `it-siem-retry-${suffix}`, dlq: `it-siem-dlq-${suffix}`, ocsf: `it-siem-ocsf-${suffix}` };
  const admin = await createAdmin(kafka);
  await admin.createTopics([
    { topic: names.alerts, partitions: 3 },
    { topic: names.retry, partitions: 2 },
    { topic: names.dlq, partitions: 1 },
    { topic: names.ocsf, partitions: 1 },
  ]);
  return { names, admin };
}

test('every alert reaches every sink with the same id; CEF over TCP and TLS and LEEF parse back to the alert fields', { timeout: 120_000 }, async () => {
  const suffix = uniqueSuffix();
  const { names, admin } = await topics(suffix);
  const tls = selfSignedCert();
  const [tcp, tlsSyslog, webhook, hec, leef] = await Promise.all([startTcpSyslog(), startTlsSyslog(tls), startWebhook(HMAC_SECRET), startHec(HEC_TOKEN), startTcpSyslog()]);
  const producer = await createProducer(kafka);
  const ocsfConsumer = await createConsumer(kafka, `it-siem-ocsf-${suffix}`);
  const { log, text } = memoryLog();
  const groupId = `it-siem-${suffix}`;
  const config = siemConfigSchema.parse({
    kafka,
    siem: {
      alertsTopic: names.alerts,
      retryTopic: names.retry,
      dlqTopic: names.dlq,
      groupId,
      redriveGroupId: `${groupId}-redrive`,
      hostname: 'siem-it',
      sinks: [
        { type: 'syslog', name: 'syslog-tcp', host: '127.0.0.1', port: tcp.port, transport: 'tcp', format: 'cef', ...policy },
        { type: 'syslog', name: 'syslog-tls', host: '127.0.0.1', port: tlsSyslog.port, transport: 'tls', format: 'cef', caFile: tls.certFile, serverName: 'localhost', ...policy },
        { type: 'webhook', name: 'webhook', url: webhook.url, hmacSecret: HMAC_SECRET, ...policy },
        { type: 'hec', name: 'splunk', url: hec.url, token: HEC_TOKEN, index: 'security', ack: { enabled: true, pollIntervalMs: 50, timeoutMs: 5_000 }, ...policy },
        { type: 'kafka', name: 'kafka-ocsf', topic: names.ocsf, format: 'ocsf', ...policy },
        { type: 'syslog', name: 'syslog-leef', host: '127.0.0.1', port: leef.port, transport: 'tcp', format: 'leef', ...policy },
      ],
    },
  });
  const siem = await startSiem(config, log, new Registry());
  const ocsfIds: string[] = [];
  try {
    await ocsfConsumer.subscribe([names.ocsf], true);
    await ocsfConsumer.run({
      eachBatch: async ({ messages }) => {
        for (const m of messages) ocsfIds.push(String((JSON.parse(String(m.value)) as { finding_info: { uid: string } }).finding_info.uid));
      },
    });
    const sent = alerts(25, 'a1');
    const byId = new Map(sent.map((a) => [a.event.id, a]));
    await producer.send(names.alerts, [...sent.map((a) => ({ key: a.event.id, value: JSON.stringify(a) })), { key: 'bad', value: '{"not":"an alert"}' }]);
    const ids = [...byId.keys()].sort();

    const all = (got: Iterable<string>) => (ids.every((id) => new Set(got).has(id)) ? true : undefined);
    await waitFor(async () => all(syslogIds(tcp)), 60_000, 'all alerts on TCP syslog');
    await waitFor(async () => all(syslogIds(tlsSyslog)), 60_000, 'all alerts on TLS syslog');
    await waitFor(async () => all(webhook.bodies.flat().map((a) => (a as SiemAlert).event.id)), 60_000, 'all alerts on the webhook');
    await waitFor(async () => all(hec.events.map((e) => (e['fields'] as { alert_id: string }).alert_id)), 60_000, 'all alerts on HEC');
    await waitFor(async () => all(ocsfIds), 60_000, 'all alerts as OCSF findings on Kafka');
    const leefAttrs = (m: string) => new Map(m.slice(m.indexOf('LEEF:2.0|')).split('|').slice(6).join('|').split('\t').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    await waitFor(async () => all(leef.messages.map((m) => leefAttrs(m).get('alertId') ?? '')), 60_000, 'all alerts as LEEF on TCP syslog');
    for (const m of leef.messages) {
      const attrs = leefAttrs(m);
      const original = byId.get(attrs.get('alertId') ?? '');
      assert.ok(original);
      assert.equal(attrs.get('usrName'), original.user?.name);
      assert.equal(attrs.get('msg'), original.message.replace(/\n/g, ' '));
    }

    // Same ids everywhere, and nothing that was not sent.
    for (const got of [syslogIds(tcp), syslogIds(tlsSyslog), new Set(ocsfIds)]) assert.deepEqual([...got].sort(), ids);
    assert.deepEqual([...new Set(webhook.bodies.flat().map((a) => (a as SiemAlert).event.id))].sort(), ids);
    assert.deepEqual([...new Set(hec.events.map((e) => ((e['event'] as SiemAlert).event.id)))].sort(), ids);

    // CEF parses back to the original fields, over both transports.
    for (const message of [...tcp.messages, ...tlsSyslog.messages]) {
      assert.match(message, /^<\d+>1 2025-03-04T14:07:12\.345Z siem-it atlas-audit - CEF \[atlas@32473 alertId="[0-9a-f]{64}" ruleId="D3"\] CEF:0\|/);
      const { header, ext } = cefOf(message);
      const original = byId.get(ext.get('externalId') ?? '');
      assert.ok(original, 'externalId is a sent alert id');
      assert.deepEqual(header.slice(4), [original.rule.id, original.rule.name, '5']);
      assert.equal(ext.get('msg'), original.message);
      assert.equal(ext.get('suser'), original.user?.name);
      assert.equal(ext.get('src'), original.source?.ip);
      assert.equal(ext.get('rt'), String(Date.parse(original['@timestamp'])));
    }
    assert.deepEqual([tcp.errors, tlsSyslog.errors], [[], []], 'every frame well-formed');
    assert.equal(webhook.badSignatures, 0);
    assert.equal(hec.unauthorised, 0);
    assert.ok(hec.ackPolls >= 1, 'indexer acknowledgement was polled');
    assert.equal(hec.channels.size, 1, 'one HEC channel');
    assert.equal(hec.events[0]?.['index'], 'security');

    // The invalid message was dead-lettered, and the group committed everything.
    await waitFor(async () => ((await admin.lag(groupId, names.alerts)) === 0 ? true : undefined), 30_000, 'alerts group lag 0');
    const logs = text();
    assert.ok(logs.includes('invalid alerts dead-lettered'));
    assert.ok(!logs.includes(HEC_TOKEN) && !logs.includes(HMAC_SECRET), 'secrets never logged');
  } finally {
    await siem.stop();
    await ocsfConsumer.close();
    await producer.close();
    await Promise.all([tcp.close(), tlsSyslog.close(), webhook.close(), hec.close(), leef.close()]);
    await admin.deleteTopics(Object.values(names));
    await admin.close();
  }
});

test('sinks refusing for 30 s still receive everything later, and never hold back the healthy sink', { timeout: 180_000 }, async () => {
  const suffix = uniqueSuffix();
  const { names, admin } = await topics(suffix);
  const refuseMs = 30_000;
  const startedMs = Date.now();
  // The TCP syslog receiver is closed (connection refused) for 30 s, then re-opened on the same port.
  const probe = await startTcpSyslog();
  const syslogPort = probe.port;
  await probe.close();
  const syslogMessages: string[] = [];
  const webhook = await startWebhook(HMAC_SECRET, startedMs + refuseMs);
  const hec = await startHec(HEC_TOKEN);
  let syslog: SyslogReceiver | undefined;
  const reopen = setTimeout(() => {
    void startTcpSyslog(syslogPort, syslogMessages).then((r) => {
      syslog = r;
    });
  }, refuseMs);
  const producer = await createProducer(kafka);
  const registry = new Registry();
  const { log, text } = memoryLog();
  const groupId = `it-siem-down-${suffix}`;
  const config = siemConfigSchema.parse({
    kafka,
    siem: {
      alertsTopic: names.alerts,
      retryTopic: names.retry,
      dlqTopic: names.dlq,
      groupId,
      redriveGroupId: `${groupId}-redrive`,
      hostname: 'siem-it',
      sinks: [
        { type: 'syslog', name: 'syslog', host: '127.0.0.1', port: syslogPort, transport: 'tcp', ...policy },
        { type: 'webhook', name: 'webhook', url: webhook.url, hmacSecret: HMAC_SECRET, ...policy },
        { type: 'hec', name: 'splunk', url: hec.url, token: HEC_TOKEN, ...policy },
      ],
    },
  });
  const siem = await startSiem(config, log, registry);
  try {
    const sent = alerts(20, 'b2');
    const ids = sent.map((a) => a.event.id).sort();
    // Two waves: one while the sinks refuse, one a few seconds later, still while they refuse.
    await producer.send(names.alerts, sent.slice(0, 10).map((a) => ({ key: a.event.id, value: JSON.stringify(a) })));
    await waitFor(async () => (hec.events.length >= 10 ? true : undefined), 20_000, 'first wave on HEC');
    await producer.send(names.alerts, sent.slice(10).map((a) => ({ key: a.event.id, value: JSON.stringify(a) })));
    const hecIds = () => [...new Set(hec.events.map((e) => (e['fields'] as { alert_id: string }).alert_id))].sort();
    await waitFor(async () => (hecIds().length === ids.length ? true : undefined), 20_000, 'all alerts on HEC while the others refuse');
    assert.ok(Date.now() - startedMs < refuseMs, 'the healthy sink got everything before the others recovered');
    assert.deepEqual(hecIds(), ids);
    assert.ok(webhook.refused > 0, 'the webhook did refuse');

    await waitFor(async () => (new Set(webhook.bodies.flat().map((a) => (a as SiemAlert).event.id)).size === ids.length ? true : undefined), 90_000, 'all alerts on the recovered webhook');
    await waitFor(async () => (new Set(syslogMessages.map((m) => cefOf(m).ext.get('externalId'))).size === ids.length ? true : undefined), 90_000, 'all alerts on the recovered syslog');
    assert.deepEqual([...new Set(webhook.bodies.flat().map((a) => (a as SiemAlert).event.id))].sort(), ids);
    assert.deepEqual([...new Set(syslogMessages.map((m) => cefOf(m).ext.get('externalId') ?? ''))].sort(), ids);

    const metrics = await registry.getSingleMetricAsString('atlas_siem_parked_total');
    assert.match(metrics, /sink="webhook"/, 'webhook alerts were parked');
    assert.match(metrics, /sink="syslog"/, 'syslog alerts were parked');
    assert.doesNotMatch(metrics, /sink="splunk"/, 'nothing parked for the healthy sink');
    await waitFor(async () => ((await admin.lag(groupId, names.alerts)) === 0 ? true : undefined), 30_000, 'alerts group lag 0');
    await waitFor(async () => ((await admin.lag(`${groupId}-redrive`, names.retry)) === 0 ? true : undefined), 30_000, 'retry group lag 0');
    assert.ok(!text().includes(HMAC_SECRET) && !text().includes(HEC_TOKEN), 'secrets never logged');
    console.log(`siem outage test: recovered after ${Math.round((Date.now() - startedMs) / 1000)} s; webhook refused ${webhook.refused} requests`);
  } finally {
    clearTimeout(reopen);
    await siem.stop();
    await producer.close();
    await Promise.all([webhook.close(), hec.close(), syslog?.close()]);
    await admin.deleteTopics(Object.values(names));
    await admin.close();
  }
});

test('the siem service process (main.ts) forwards alerts, reports ready, and exits 0 on SIGTERM', { timeout: 120_000 }, async () => {
  const suffix = uniqueSuffix();
  const { names, admin } = await topics(suffix);
  const webhook = await startWebhook(HMAC_SECRET);
  const producer = await createProducer(kafka);
  const sinks = JSON.stringify([{ type: 'webhook', name: 'hook', url: webhook.url, hmacSecret: HMAC_SECRET }]);
  const child = spawn(process.execPath, [fileURLToPath(new URL('../../services/siem/src/main.ts', import.meta.url))], {
    env: { PATH: process.env['PATH'] ?? '', KAFKA_BROKERS: endpoints.kafkaBrokers.join(','), SIEM_ALERTS_TOPIC: names.alerts, SIEM_RETRY_TOPIC: names.retry, SIEM_GROUP_ID: `it-siem-main-${suffix}`, SIEM_SINKS: sinks, HTTP_PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const url = await waitFor(async () => /"url":"(http:\/\/[^"]+)","msg":"service http listening"/.exec(output)?.[1], 60_000, 'service http url');
    await waitFor(async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), 30_000, 'ready');
    const sent = alerts(3, 'c3');
    await producer.send(names.alerts, sent.map((a) => ({ key: a.event.id, value: JSON.stringify(a) })));
    await waitFor(async () => (new Set(webhook.bodies.flat().map((a) => (a as SiemAlert).event.id)).size === 3 ? true : undefined), 60_000, 'alerts through the service process');
    assert.match(await (await fetch(`${url}/metrics`)).text(), /atlas_siem_delivered_total\{sink="hook",service="siem"\} 3/);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, output.slice(-2_000));
    assert.ok(!output.includes(HMAC_SECRET), 'secret never logged');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await producer.close();
    await webhook.close();
    await admin.deleteTopics(Object.values(names));
    await admin.close();
  }
});
