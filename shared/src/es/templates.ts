import { createHash } from 'node:crypto';
import { SCHEMA_VERSION } from '../schema/event.ts';
import type { FieldMapping } from './zod-to-mapping.ts';
import type { IndexLayout } from './index-names.ts';

/**
 * The composable templates of one namespace: a settings component, one mappings component
 * per document kind, and one index template per kind composed of the two. Pure: builds the
 * request bodies; install-templates.ts sends them.
 */

export type ComponentTemplate = { kind: 'component'; name: string; body: { template: Record<string, unknown>; _meta: Record<string, unknown> } };
export type IndexTemplate = {
  kind: 'index';
  name: string;
  body: { index_patterns: string[]; composed_of: string[]; priority: number; template: Record<string, unknown>; _meta: Record<string, unknown> };
};
export type Template = ComponentTemplate | IndexTemplate;

export type MappingSet = { events: Record<string, FieldMapping>; alerts: Record<string, FieldMapping>; dlq: Record<string, FieldMapping> };

export type TemplateOptions = {
  /** How soon a write is searchable. 1s: the dashboards and the bench's append→searchable latency depend on it. */
  refreshInterval: string;
  /** `0-1`: yellow-free on one node, one replica as soon as a second node joins. */
  autoExpandReplicas: string;
};

export const defaultTemplateOptions: TemplateOptions = { refreshInterval: '1s', autoExpandReplicas: '0-1' };

/**
 * Priority above Elasticsearch's built-in `logs-*-*` template (100), which would otherwise turn
 * `logs-atlas_audit.alerts-*` into a data stream on clusters that have the stack templates.
 */
export const TEMPLATE_PRIORITY = 300;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A stable hash of a template body (key order does not matter). */
export function contentHash(body: unknown): string {
  return createHash('sha256').update(canonical(body)).digest('hex').slice(0, 16);
}

function meta(body: Record<string, unknown>): Record<string, unknown> {
  return { managed_by: 'atlas-audit', schema_version: SCHEMA_VERSION, content_hash: contentHash(body) };
}

function component(name: string, template: Record<string, unknown>): ComponentTemplate {
  return { kind: 'component', name, body: { template, _meta: meta({ template }) } };
}

function strictMappings(properties: Record<string, FieldMapping>): Record<string, unknown> {
  // strict: a field the schema does not know is a producer bug; the indexer sends the document
  // to the DLQ with the reason instead of silently widening the mapping.
  return { mappings: { dynamic: 'strict', date_detection: false, numeric_detection: false, properties } };
}

function indexTemplate(name: string, patterns: string[], composedOf: string[], aliases: Record<string, unknown>): IndexTemplate {
  const template = { aliases };
  const core = { index_patterns: patterns, composed_of: composedOf, priority: TEMPLATE_PRIORITY, template };
  return { kind: 'index', name, body: { ...core, _meta: meta(core) } };
}

/** Every template of a namespace, components first (index templates reference them). */
export function templatesFor(layout: IndexLayout, mappings: MappingSet, options: TemplateOptions = defaultTemplateOptions): Template[] {
  const p = layout.templatePrefix;
  const settings = component(`${p}-settings`, {
    settings: {
      index: {
        number_of_shards: 1,
        auto_expand_replicas: options.autoExpandReplicas,
        refresh_interval: options.refreshInterval,
        mapping: { total_fields: { limit: 2000 } },
      },
    },
  });
  return [
    settings,
    component(`${p}-events-mappings`, strictMappings(mappings.events)),
    component(`${p}-alerts-mappings`, strictMappings(mappings.alerts)),
    component(`${p}-dlq-mappings`, strictMappings(mappings.dlq)),
    indexTemplate(`${p}-events`, [layout.eventsPattern], [settings.name, `${p}-events-mappings`], { [layout.eventsAlias]: {} }),
    indexTemplate(`${p}-alerts`, [layout.alertsPattern], [settings.name, `${p}-alerts-mappings`], { [layout.alertsAlias]: {} }),
    indexTemplate(`${p}-dlq`, [layout.dlqPattern], [settings.name, `${p}-dlq-mappings`], { [layout.dlqAlias]: {} }),
  ];
}
