import { createHash } from 'node:crypto';

/** A Kibana saved object as it appears on one line of an export NDJSON. */
export type SavedObject = {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  references: Array<{ id: string; name: string; type: string }>;
  coreMigrationVersion: string;
  typeMigrationVersion: string;
  managed: boolean;
};

/**
 * Versions pinned for Kibana 8.19: every 8.8+ export carries coreMigrationVersion 8.8.0;
 * each typeMigrationVersion is at or below what 8.19 knows for the type (import rejects a newer
 * one with 422 and migrates an older one forward), in the shapes these versions define.
 */
export const CORE_MIGRATION_VERSION = '8.8.0';
export const typeMigrationVersions = { 'index-pattern': '8.0.0', search: '8.0.0', lens: '8.9.0', dashboard: '8.9.0', visualization: '8.5.0' } as const;

/** A stable UUID-shaped id derived from a name, so regenerating the NDJSON never changes ids. */
export function stableId(name: string): string {
  const hex = createHash('sha256').update(`atlas-audit:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Wraps attributes and references as a saved object with the pinned versions. */
export function savedObject(type: keyof typeof typeMigrationVersions, id: string, attributes: Record<string, unknown>, references: SavedObject['references'] = []): SavedObject {
  return { id, type, attributes, references, coreMigrationVersion: CORE_MIGRATION_VERSION, typeMigrationVersion: typeMigrationVersions[type], managed: false };
}
