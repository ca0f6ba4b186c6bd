import type { Client } from '@elastic/elasticsearch';
import { AppError } from '../errors.ts';
import type { Template } from './templates.ts';

export type InstallReport = { created: string[]; updated: string[]; unchanged: string[] };

function statusOf(err: unknown): number | undefined {
  const meta = (err as { meta?: { statusCode?: number } } | null)?.meta;
  return meta?.statusCode;
}

async function installedHash(client: Client, template: Template): Promise<string | null | undefined> {
  try {
    if (template.kind === 'component') {
      const res = await client.cluster.getComponentTemplate({ name: template.name });
      const meta = res.component_templates[0]?.component_template._meta as Record<string, unknown> | undefined;
      return typeof meta?.['content_hash'] === 'string' ? meta['content_hash'] : null;
    }
    const res = await client.indices.getIndexTemplate({ name: template.name });
    const meta = res.index_templates[0]?.index_template._meta as Record<string, unknown> | undefined;
    return typeof meta?.['content_hash'] === 'string' ? meta['content_hash'] : null;
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

async function put(client: Client, template: Template): Promise<void> {
  if (template.kind === 'component') await client.cluster.putComponentTemplate({ name: template.name, ...template.body } as Parameters<Client['cluster']['putComponentTemplate']>[0]);
  else await client.indices.putIndexTemplate({ name: template.name, ...template.body } as Parameters<Client['indices']['putIndexTemplate']>[0]);
}

/**
 * Installs templates in order, idempotently: each is read first and written only when absent
 * or when its `_meta.content_hash` differs, so a second run writes nothing. Throws an
 * AppError (ELASTICSEARCH_UNAVAILABLE, retryable; or ELASTICSEARCH_REJECTED) on failure.
 */
export async function installTemplates(client: Client, templates: readonly Template[]): Promise<InstallReport> {
  const report: InstallReport = { created: [], updated: [], unchanged: [] };
  for (const template of templates) {
    try {
      const current = await installedHash(client, template);
      const wanted = template.body._meta['content_hash'];
      if (current === wanted) {
        report.unchanged.push(template.name);
        continue;
      }
      await put(client, template);
      (current === undefined ? report.created : report.updated).push(template.name);
    } catch (err) {
      const status = statusOf(err);
      const rejected = status !== undefined && status >= 400 && status < 500;
      throw new AppError(`installing template ${template.name} failed`, {
        code: rejected ? 'ELASTICSEARCH_REJECTED' : 'ELASTICSEARCH_UNAVAILABLE',
        retryable: !rejected,
        cause: err,
        details: { template: template.name, status },
      });
    }
  }
  return report;
}
