import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { endpoints, uniqueSuffix } from '@atlas-audit/test/env';
import { indexLayout } from '@atlas-audit/shared/es/index-names';
import { runSetup, setupCommand, SETUP_MARKER_INDEX } from '@atlas-audit/cli/setup';
import { installTemplates } from '@atlas-audit/shared/es/install-templates';
import { schemaMappings } from '@atlas-audit/shared/es/mappings';
import { templatesFor } from '@atlas-audit/shared/es/templates';
import { validateImport } from '@atlas-audit/dashboards/validate-import';

// `atlas-audit setup` against the real Elasticsearch and a stand-in for Kibana's saved-objects
// API (Kibana cannot run here) that applies the same import checks as the dashboard tests.
const es = new Client({ node: endpoints.elasticsearchUrl });
const namespace = `t${uniqueSuffix()}`;
const prefix = indexLayout(namespace).templatePrefix;

type Stored = Map<string, unknown>;
const stored: Stored = new Map();
const calls: string[] = [];

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const kibana = createServer((req, res) => {
  void (async (): Promise<unknown> => {
    const raw = await body(req);
    const url = (req.url ?? '').replace(/^\/s\/[^/]+/, '');
    calls.push(`${req.method} ${req.url}`);
    if (req.headers['kbn-xsrf'] !== 'true') return res.writeHead(400).end('{"message":"missing kbn-xsrf"}');
    if (url === '/api/saved_objects/_bulk_get') {
      const wanted = JSON.parse(raw.toString()) as Array<{ type: string; id: string }>;
      const saved_objects = wanted.map(({ type, id }) => (stored.has(`${type}:${id}`) ? { type, id } : { type, id, error: { statusCode: 404, error: 'Not Found' } }));
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ saved_objects }));
    }
    if (url === '/api/saved_objects/_import?overwrite=true') {
      const boundary = /boundary=(.+)$/.exec(req.headers['content-type'] ?? '')?.[1];
      const text = raw.toString();
      const start = text.indexOf('\r\n\r\n', text.indexOf('name="file"')) + 4;
      const file = boundary ? text.slice(start, text.indexOf(`\r\n--${boundary}`, start)) : '';
      const problems = validateImport(file);
      const lines = file.split('\n').filter((l) => l.trim() !== '');
      if (problems.length > 0 || lines.length === 0) return res.writeHead(200).end(JSON.stringify({ success: false, successCount: 0, errors: problems.map((p) => ({ type: 'x', id: p, error: { type: 'invalid' } })) }));
      for (const line of lines) {
        const o = JSON.parse(line) as { type: string; id: string };
        stored.set(`${o.type}:${o.id}`, o);
      }
      return res.writeHead(200).end(JSON.stringify({ success: true, successCount: lines.length, errors: [] }));
    }
    return res.writeHead(404).end('{}');
  })();
});
await new Promise<void>((resolve) => kibana.listen(0, '127.0.0.1', resolve));
const kibanaUrl = `http://127.0.0.1:${(kibana.address() as AddressInfo).port}`;

after(async () => {
  kibana.close();
  for (const name of [`${prefix}-events`, `${prefix}-alerts`, `${prefix}-dlq`]) await es.indices.deleteIndexTemplate({ name }, { ignore: [404] });
  for (const name of [`${prefix}-settings`, `${prefix}-events-mappings`, `${prefix}-alerts-mappings`, `${prefix}-dlq-mappings`]) await es.cluster.deleteComponentTemplate({ name }, { ignore: [404] });
  const markers = await es.search({ index: SETUP_MARKER_INDEX, query: { term: { 'kibana_space.keyword': namespace } } }).catch(() => undefined);
  for (const hit of markers?.hits.hits ?? []) await es.delete({ index: SETUP_MARKER_INDEX, id: hit._id ?? '' }, { ignore: [404] });
  await es.close();
});

test('setup installs the templates and imports the dashboards once; a second run changes nothing', async () => {
  const target = { url: kibanaUrl, space: namespace };
  const first = await runSetup({ namespace, kibana: target }, { client: es });
  assert.equal(first.templates.created.length, 7);
  assert.equal(first.kibana.state, 'imported');
  assert.equal('objects' in first.kibana ? first.kibana.objects : 0, stored.size);
  assert.ok(stored.size >= 70);
  const imports = (): number => calls.filter((c) => c.includes('_import')).length;
  assert.equal(imports(), 1);
  assert.ok(calls.every((c) => c.includes(`/s/${namespace}/api/`)), 'the space is honoured');

  const second = await runSetup({ namespace, kibana: target }, { client: es });
  assert.deepEqual(second.templates, { created: [], updated: [], unchanged: first.templates.created });
  assert.equal(second.kibana.state, 'unchanged');
  assert.equal(imports(), 1, 'no second import');

  // A dashboard deleted in Kibana is restored by the next run.
  const dashboardKey = [...stored.keys()].find((k) => k.startsWith('dashboard:'));
  assert.ok(dashboardKey);
  stored.delete(dashboardKey);
  const third = await runSetup({ namespace, kibana: target }, { client: es });
  assert.equal(third.kibana.state, 'imported');
  assert.ok(stored.has(dashboardKey));
  assert.equal(imports(), 2);
});

test('without KIBANA_URL only the templates are installed; bad config exits 2 listing the problem', async () => {
  const out: string[] = [];
  const code = await setupCommand({ ELASTICSEARCH_URL: endpoints.elasticsearchUrl, ELASTICSEARCH_NAMESPACE: namespace }, (t) => out.push(t));
  assert.equal(code, 0);
  assert.match(out.join(''), /templates: 0 created, 0 updated, 7 unchanged/);
  assert.match(out.join(''), /kibana: skipped/);
  const bad: string[] = [];
  assert.equal(await setupCommand({ ELASTICSEARCH_URL: 'not a url', KIBANA_URL: 'also bad', KIBANA_PASSWORD: 'hunter2secret' }, (t) => bad.push(t)), 2);
  assert.match(bad.join(''), /elasticsearch\.url/);
  assert.match(bad.join(''), /kibana\.url/);
  assert.doesNotMatch(bad.join(''), /hunter2secret/);
});

test('a changed template is rewritten, and only that one', async () => {
  const layout = indexLayout(namespace);
  await installTemplates(es, templatesFor(layout, schemaMappings()));
  const changed = await installTemplates(es, templatesFor(layout, schemaMappings(), { refreshInterval: '5s', autoExpandReplicas: '0-1' }));
  assert.deepEqual(changed.updated, [`${prefix}-settings`]);
  assert.equal(changed.unchanged.length, 6);
  const stored = await es.cluster.getComponentTemplate({ name: `${prefix}-settings` });
  assert.equal((stored.component_templates[0]?.component_template.template.settings as { index: { refresh_interval: string } }).index.refresh_interval, '5s');
  const restored = await installTemplates(es, templatesFor(layout, schemaMappings()));
  assert.deepEqual(restored.updated, [`${prefix}-settings`]);
});
