import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { AppError } from '@atlas-audit/shared/errors';
import { parseConfig, commonEnvBindings, kafkaConfigSchema, elasticsearchConfigSchema, mongodbConfigSchema, logConfigSchema, httpConfigSchema, redactSecrets } from '@atlas-audit/shared/config';
import { createLogger } from '@atlas-audit/shared/logger';

const schema = z.object({
  kafka: kafkaConfigSchema,
  elasticsearch: elasticsearchConfigSchema,
  mongodb: mongodbConfigSchema,
  log: logConfigSchema,
  http: httpConfigSchema,
});

const goodEnv = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  ELASTICSEARCH_URL: 'http://127.0.0.1:9200',
  MONGODB_URI: 'mongodb://127.0.0.1:27017',
};

function problemsOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError);
    return err;
  }
  assert.fail('expected the config to be rejected');
}

test('a valid environment parses into typed config with defaults', () => {
  const config = parseConfig(schema, commonEnvBindings, { env: { ...goodEnv, KAFKA_BROKERS: 'a:1, b:2', HTTP_PORT: '8080' } });
  assert.deepEqual(config.kafka.brokers, ['a:1', 'b:2']);
  assert.equal(config.http.port, 8080);
  assert.equal(config.log.level, 'info');
  assert.equal(config.mongodb.database, 'atlas_audit');
});

test('three invalid values fail with one message naming all three', () => {
  const err = problemsOf(() =>
    parseConfig(schema, commonEnvBindings, { env: { ...goodEnv, KAFKA_BROKERS: 'no-port', ELASTICSEARCH_URL: 'not a url', LOG_LEVEL: 'loud' } }),
  );
  assert.equal(err.code, 'CONFIG_INVALID');
  assert.equal(err.retryable, false);
  assert.match(err.message, /3 problem/);
  assert.match(err.message, /kafka\.brokers\.0 \(KAFKA_BROKERS\)/);
  assert.match(err.message, /elasticsearch\.url \(ELASTICSEARCH_URL\)/);
  assert.match(err.message, /log\.level \(LOG_LEVEL\)/);
});

test('an invalid value is never replaced by a default', () => {
  const err = problemsOf(() => parseConfig(schema, commonEnvBindings, { env: { ...goodEnv, HTTP_PORT: 'eighty' } }));
  assert.match(err.message, /http\.port/);
});

test('a secret given in config never appears in the error or in a log line', () => {
  const secret = 'S3cr3t-Pa55word-xyz';
  const mongoSecret = 'mongodb://admin:' + secret + '@db.example';
  const err = problemsOf(() =>
    parseConfig(schema, commonEnvBindings, {
      env: { ...goodEnv, ELASTICSEARCH_API_KEY: secret, MONGODB_URI: 'mongo://admin:' + secret + '@db', KAFKA_SASL_MECHANISM: 'bogus', KAFKA_SASL_PASSWORD: secret },
    }),
  );
  assert.ok(!err.message.includes(secret), err.message);
  assert.ok(!JSON.stringify(err.details).includes(secret));
  assert.match(err.message, /mongodb\.uri/);

  const lines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb(); } });
  const log = createLogger({ name: 'test', level: 'info', destination: sink });
  log.info({ elasticsearch: { url: 'http://x', apiKey: secret }, mongodb: { uri: mongoSecret }, kafka: { sasl: { password: secret } } }, 'config loaded');
  log.error({ err }, 'config invalid');
  assert.equal(lines.length, 2);
  for (const line of lines) assert.ok(!line.includes(secret), line);
  assert.match(lines[0] ?? '', /\[REDACTED\]/);
});

test('secrets in a YAML config file are redacted too', () => {
  const secret = 'file-secret-123456';
  const err = problemsOf(() =>
    parseConfig(schema, commonEnvBindings, { env: {}, fileName: 'c.yaml', fileText: `kafka:\n  brokers: ["x:1"]\n  sasl: { mechanism: nope, username: u, password: ${secret} }\nelasticsearch: { url: "http://e", apiKey: ${secret} }\nmongodb: { uri: "x${secret}" }\n` }),
  );
  assert.ok(!err.message.includes(secret));
  assert.match(err.message, /kafka\.sasl\.mechanism/);
  assert.match(err.message, /mongodb\.uri/);
});

test('redactSecrets replaces every occurrence', () => {
  assert.equal(redactSecrets('a xyz b xyz', ['xyz']), 'a [REDACTED] b [REDACTED]');
});

test('KAFKA_CLIENT picks the Kafka client library (kafkajs by default); any other value is refused, never defaulted', () => {
  assert.equal(parseConfig(schema, commonEnvBindings, { env: goodEnv }).kafka.client, 'kafkajs');
  assert.equal(parseConfig(schema, commonEnvBindings, { env: { ...goodEnv, KAFKA_CLIENT: 'platformatic' } }).kafka.client, 'platformatic');
  assert.match(problemsOf(() => parseConfig(schema, commonEnvBindings, { env: { ...goodEnv, KAFKA_CLIENT: 'librdkafka' } })).message, /KAFKA_CLIENT|kafka\.client/);
});
