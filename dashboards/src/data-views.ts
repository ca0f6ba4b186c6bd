import { indexLayout } from '@atlas-audit/shared/es/index-names';
import type { DataViewKey } from './panel-spec.ts';
import { savedObject, stableId, type SavedObject } from './saved-object.ts';

/** The data views: every namespace's events, alerts and dead-letter indices. */
export const dataViews: Readonly<Record<DataViewKey, { id: string; title: string; name: string; timeField: string }>> = {
  events: { id: stableId('data-view:events'), title: 'atlas-audit-events-*', name: 'Atlas audit: events', timeField: '@timestamp' },
  alerts: { id: stableId('data-view:alerts'), title: 'logs-atlas_audit.alerts-*', name: 'Atlas audit: alerts', timeField: '@timestamp' },
  dlq: { id: stableId('data-view:dlq'), title: 'atlas-audit-dlq-*', name: 'Atlas audit: dead letters', timeField: 'timestamp' },
};

/** The index pattern a data view uses in one namespace (for tests that load their own namespace). */
export function patternFor(key: DataViewKey, namespace: string): string {
  const layout = indexLayout(namespace);
  return key === 'events' ? layout.eventsPattern : key === 'alerts' ? layout.alertsPattern : layout.dlqPattern;
}

/** The index-pattern saved objects (fields are left to Kibana, which reads the mapping). */
export function dataViewObjects(): SavedObject[] {
  return Object.values(dataViews).map((view) =>
    savedObject('index-pattern', view.id, {
      title: view.title,
      name: view.name,
      timeFieldName: view.timeField,
      allowHidden: false,
      fields: '[]',
      fieldFormatMap: '{}',
      runtimeFieldMap: '{}',
      sourceFilters: '[]',
      fieldAttrs: '{}',
      typeMeta: '{}',
    }),
  );
}
