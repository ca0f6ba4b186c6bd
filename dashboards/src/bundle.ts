import { dashboardSpecs, savedSearches } from './dashboards-spec.ts';
import { dataViewObjects } from './data-views.ts';
import { dashboardObject, panelObjects, searchObject } from './dashboard.ts';
import type { SavedObject } from './saved-object.ts';

/** Every saved object, dependencies before dependents (data views, searches, panels, dashboards). */
export function allSavedObjects(): SavedObject[] {
  return [...dataViewObjects(), ...savedSearches.map(searchObject), ...dashboardSpecs.flatMap(panelObjects), ...dashboardSpecs.map(dashboardObject)];
}

/** The import file: one saved object per line. Deterministic (stable ids, fixed order). */
export function renderNdjson(objects: readonly SavedObject[] = allSavedObjects()): string {
  return objects.map((o) => JSON.stringify(o)).join('\n') + '\n';
}
