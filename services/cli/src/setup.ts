// `atlas-audit setup`: installs the Elasticsearch templates and, when KIBANA_URL is set,
// imports the dashboards through Kibana's saved-objects import API. Reads: ELASTICSEARCH_*
// (url, credentials, ELASTICSEARCH_NAMESPACE), KIBANA_URL, KIBANA_API_KEY or KIBANA_USERNAME/
// KIBANA_PASSWORD, KIBANA_SPACE. Writes: templates, a marker document in the
// `atlas-audit-setup` index (what was imported where), and a report to stdout.
// Idempotent: a second run writes nothing.
import { createHash } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { z } from 'zod';
import { AppError } from '@atlas-audit/shared/errors';
import { commonEnvBindings, elasticsearchConfigSchema, parseConfig, type EnvBinding } from '@atlas-audit/shared/config';
import { createSearchStore } from '@atlas-audit/shared/elasticsearch';
import { indexLayout } from '@atlas-audit/shared/es/index-names';
import { installTemplates, type InstallReport } from '@atlas-audit/shared/es/install-templates';
import { schemaMappings } from '@atlas-audit/shared/es/mappings';
import { templatesFor } from '@atlas-audit/shared/es/templates';
import { renderNdjson } from '@atlas-audit/dashboards/bundle';

export const SETUP_MARKER_INDEX = 'atlas-audit-setup';

export type KibanaTarget = { url: string; space?: string | undefined; apiKey?: string | undefined; username?: string | undefined; password?: string | undefined };

export type SetupOptions = { namespace: string; kibana?: KibanaTarget | undefined; ndjson?: string };

export type SetupReport = { templates: InstallReport; kibana: { state: 'skipped' } | { state: 'unchanged'; objects: number } | { state: 'imported'; objects: number } };

type Fetch = typeof fetch;

function kibanaHeaders(target: KibanaTarget): Record<string, string> {
  const headers: Record<string, string> = { 'kbn-xsrf': 'true' };
  if (target.apiKey) headers['authorization'] = `ApiKey ${target.apiKey}`;
  else if (target.username && target.password) headers['authorization'] = `Basic ${Buffer.from(`${target.username}:${target.password}`).toString('base64')}`;
  return headers;
}

function apiBase(target: KibanaTarget): string {
  const base = target.url.replace(/\/+$/, '');
  return target.space && target.space !== 'default' ? `${base}/s/${encodeURIComponent(target.space)}` : base;
}

async function kibanaJson(fetchFn: Fetch, target: KibanaTarget, path: string, init: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetchFn(`${apiBase(target)}${path}`, { ...init, headers: { ...kibanaHeaders(target), ...(init.headers as Record<string, string> | undefined) } });
  } catch (err) {
    throw new AppError('kibana unreachable', { code: 'SINK_UNAVAILABLE', retryable: true, cause: err, details: { path } });
  }
  const text = await res.text();
  if (!res.ok) throw new AppError(`kibana answered ${res.status} to ${path}`, { code: 'SINK_UNAVAILABLE', retryable: res.status >= 500 || res.status === 429, details: { path, status: res.status, body: text.slice(0, 500) } });
  return JSON.parse(text) as unknown;
}

function objectKeys(ndjson: string): Array<{ type: string; id: string }> {
  return ndjson
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; id: string })
    .map(({ type, id }) => ({ type, id }));
}

async function importDashboards(client: Client, fetchFn: Fetch, target: KibanaTarget, ndjson: string): Promise<SetupReport['kibana']> {
  const hash = createHash('sha256').update(ndjson).digest('hex');
  const markerId = createHash('sha256').update(`${target.url}\0${target.space ?? 'default'}`).digest('hex').slice(0, 32);
  const keys = objectKeys(ndjson);
  let markerHash: string | undefined;
  try {
    const marker = await client.get<{ ndjson_sha256?: string }>({ index: SETUP_MARKER_INDEX, id: markerId });
    markerHash = marker._source?.ndjson_sha256;
  } catch (err) {
    if ((err as { meta?: { statusCode?: number } }).meta?.statusCode !== 404) throw err;
  }
  if (markerHash === hash) {
    const found = (await kibanaJson(fetchFn, target, '/api/saved_objects/_bulk_get', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(keys) })) as { saved_objects: Array<{ error?: unknown }> };
    if (found.saved_objects.length === keys.length && found.saved_objects.every((o) => o.error === undefined)) return { state: 'unchanged', objects: keys.length };
  }
  const form = new FormData();
  form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), 'atlas-audit.ndjson');
  const result = (await kibanaJson(fetchFn, target, '/api/saved_objects/_import?overwrite=true', { method: 'POST', body: form })) as { success: boolean; successCount: number; errors?: Array<{ type: string; id: string; error: { type: string } }> };
  if (!result.success) {
    const errors = (result.errors ?? []).slice(0, 10).map((e) => `${e.type}:${e.id} ${e.error.type}`);
    throw new AppError(`kibana import failed: ${errors.join(', ')}`, { code: 'SINK_UNAVAILABLE', retryable: false, details: { errors } });
  }
  await client.index({ index: SETUP_MARKER_INDEX, id: markerId, document: { ndjson_sha256: hash, objects: keys.length, kibana_space: target.space ?? 'default', imported_at: new Date().toISOString() }, refresh: true });
  return { state: 'imported', objects: result.successCount };
}

/**
 * Installs the templates of `namespace` (writing only those that differ) and, with a Kibana
 * target, imports the dashboards unless the same file was already imported there and every
 * object still exists. Running it twice changes nothing. Throws AppError on a broken dependency.
 */
export async function runSetup(options: SetupOptions, deps: { client: Client; fetch?: Fetch }): Promise<SetupReport> {
  const templates = await installTemplates(deps.client, templatesFor(indexLayout(options.namespace), schemaMappings()));
  if (!options.kibana) return { templates, kibana: { state: 'skipped' } };
  const kibana = await importDashboards(deps.client, deps.fetch ?? fetch, options.kibana, options.ndjson ?? renderNdjson());
  return { templates, kibana };
}

const setupConfigSchema = z.object({
  elasticsearch: elasticsearchConfigSchema,
  namespace: z.string().regex(/^[a-z0-9_]{1,40}$/, 'must match [a-z0-9_]{1,40}').default('default'),
  kibana: z
    .object({
      url: z.url(),
      space: z.string().min(1).optional(),
      apiKey: z.string().min(1).optional(),
      username: z.string().min(1).optional(),
      password: z.string().min(1).optional(),
    })
    .optional(),
});

const setupBindings: readonly EnvBinding[] = [
  ...commonEnvBindings.filter((b) => b.path.startsWith('elasticsearch.')),
  { path: 'namespace', env: 'ELASTICSEARCH_NAMESPACE' },
  { path: 'kibana.url', env: 'KIBANA_URL' },
  { path: 'kibana.space', env: 'KIBANA_SPACE' },
  { path: 'kibana.apiKey', env: 'KIBANA_API_KEY', secret: true },
  { path: 'kibana.username', env: 'KIBANA_USERNAME' },
  { path: 'kibana.password', env: 'KIBANA_PASSWORD', secret: true },
];

/** The `setup` subcommand: config from `env`, report to `write`; returns the exit code (0 ok, 1 failure, 2 config). */
export async function setupCommand(env: Record<string, string | undefined>, write: (text: string) => void): Promise<number> {
  let config;
  try {
    config = parseConfig(setupConfigSchema, setupBindings, { env });
  } catch (err) {
    write(`atlas-audit setup: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const store = createSearchStore(config.elasticsearch);
  try {
    const report = await runSetup({ namespace: config.namespace, kibana: config.kibana }, { client: store.client });
    const t = report.templates;
    write(`templates: ${t.created.length} created, ${t.updated.length} updated, ${t.unchanged.length} unchanged\n`);
    write(`kibana: ${report.kibana.state}${'objects' in report.kibana ? ` (${report.kibana.objects} saved objects)` : ''}\n`);
    return 0;
  } catch (err) {
    write(`atlas-audit setup failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await store.close();
  }
}
