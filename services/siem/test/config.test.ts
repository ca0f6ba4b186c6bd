import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '@atlas-audit/shared/config';
import { AppError } from '@atlas-audit/shared/errors';
import { siemConfigSchema, siemEnvBindings } from '../src/config.ts';

const token = 'hec-secret-token-1234567890';

test('sinks from SIEM_SINKS (JSON) parse with defaults for delivery settings', () => {
  const config = parseConfig(siemConfigSchema, siemEnvBindings, {
    env: { KAFKA_BROKERS: '127.0.0.1:9092', SIEM_SINKS: JSON.stringify([{ type: 'hec', name: 'splunk', url: 'https://splunk.example:8088', token }, { type: 'syslog', name: 'qradar', host: 'siem.example', port: 6514, format: 'leef' }]) },
  });
  const [hec, syslog] = config.siem.sinks;
  assert.equal(hec?.type, 'hec');
  assert.equal(hec?.queueMax, 10_000);
  assert.equal(hec?.type === 'hec' && hec.ack.enabled, false);
  assert.equal(syslog?.type === 'syslog' && syslog.transport, 'tls', 'TLS unless told otherwise');
  assert.equal(config.siem.alertsTopic, 'atlas.alerts.v1');
  assert.equal(config.siem.retryTopic, 'atlas.alerts.retry.v1');
});

test('every sink problem is listed at once and the token never appears in the message', () => {
  try {
    parseConfig(siemConfigSchema, siemEnvBindings, {
      env: { KAFKA_BROKERS: '127.0.0.1:9092', SIEM_SINKS: JSON.stringify([{ type: 'hec', name: 'Bad Name', url: 'not a url', token }, { type: 'webhook', name: 'w', url: 'https://x.example', hmacSecret: 'short' }, { type: 'carrier-pigeon', name: 'p' }]) },
    });
    assert.fail('expected CONFIG_INVALID');
  } catch (err) {
    assert.ok(err instanceof AppError && err.code === 'CONFIG_INVALID');
    assert.ok(!err.message.includes(token), 'token redacted');
    assert.match(err.message, /siem\.sinks\.0\.name/);
    assert.match(err.message, /siem\.sinks\.0\.url/);
    assert.match(err.message, /siem\.sinks\.1\.hmacSecret/);
    assert.match(err.message, /siem\.sinks\.2/);
  }
});

test('duplicate sink names and an empty sink list are rejected', () => {
  assert.throws(() => parseConfig(siemConfigSchema, siemEnvBindings, { env: { KAFKA_BROKERS: 'k:9092', SIEM_SINKS: '[]' } }), /at least one sink/);
  const twice = JSON.stringify([{ type: 'kafka', name: 'a', topic: 't' }, { type: 'kafka', name: 'a', topic: 'u' }]);
  assert.throws(() => parseConfig(siemConfigSchema, siemEnvBindings, { env: { KAFKA_BROKERS: 'k:9092', SIEM_SINKS: twice } }), /unique/);
});
