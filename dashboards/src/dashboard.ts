import type { DashboardPanel, DashboardSpec, MarkdownSpec, SavedSearchSpec } from './panel-spec.ts';
import { controlFields, isLensPanel, toKql } from './panel-spec.ts';
import { dataViews } from './data-views.ts';
import { lensId, lensObject } from './lens.ts';
import { savedObject, stableId, type SavedObject } from './saved-object.ts';

const PANEL_VERSION = '8.9.0';
const INDEX_REF = 'kibanaSavedObjectMeta.searchSourceJSON.index';

/** The saved-search id of a saved search spec. */
export function searchId(id: string): string {
  return stableId(`search:${id}`);
}

/** A saved search (Discover session) over a data view, newest first. */
export function searchObject(spec: SavedSearchSpec): SavedObject {
  const view = dataViews[spec.dataView];
  return savedObject(
    'search',
    searchId(spec.id),
    {
      title: spec.title,
      description: '',
      columns: [...spec.columns],
      sort: [[view.timeField, 'desc']],
      grid: {},
      hideChart: false,
      isTextBasedQuery: false,
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: toKql(spec.where), language: 'kuery' }, filter: [], indexRefName: INDEX_REF }) },
    },
    [{ name: INDEX_REF, type: 'index-pattern', id: view.id }],
  );
}

/** A markdown visualization (text panels of the dashboards). */
export function markdownObject(spec: MarkdownSpec): SavedObject {
  return savedObject('visualization', stableId(`markdown:${spec.id}`), {
    title: spec.title,
    description: '',
    uiStateJSON: '{}',
    version: 1,
    visState: JSON.stringify({ title: spec.title, type: 'markdown', aggs: [], params: { fontSize: 12, openLinksInNewTab: false, markdown: spec.markdown } }),
    kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }) },
  });
}

function targetOf(panel: DashboardPanel): { type: string; id: string } {
  if (isLensPanel(panel)) return { type: 'lens', id: lensId(panel) };
  if (panel.kind === 'search') return { type: 'search', id: searchId(panel.searchId) };
  return { type: 'visualization', id: stableId(`markdown:${panel.id}`) };
}

/** Lays panels out left to right in the 48-column grid, wrapping rows. */
function layout(panels: readonly DashboardPanel[]): Array<{ x: number; y: number; w: number; h: number }> {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return panels.map((panel) => {
    const w = Math.min(48, panel.width ?? 24);
    const h = panel.height ?? 15;
    if (x + w > 48) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const cell = { x, y, w, h };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return cell;
  });
}

/**
 * The dashboard saved object: panels by reference (`panelRefName` = `panel_<i>`, reference
 * name `<i>:panel_<i>`, as Kibana 8 exports them), options-list controls for project,
 * cluster and host over the dashboard's data view, and its default time range.
 */
export function dashboardObject(spec: DashboardSpec): SavedObject {
  const cells = layout(spec.panels);
  const references: SavedObject['references'] = [];
  const panels = spec.panels.map((panel, i) => {
    const panelIndex = `p${i}`;
    const target = targetOf(panel);
    references.push({ name: `${panelIndex}:panel_${panelIndex}`, type: target.type, id: target.id });
    return { version: PANEL_VERSION, type: target.type, gridData: { ...cells[i], i: panelIndex }, panelIndex, embeddableConfig: { enhancements: {} }, panelRefName: `panel_${panelIndex}` };
  });
  const view = dataViews[spec.dataView];
  const controls: Record<string, unknown> = {};
  controlFields.forEach((control, order) => {
    const id = stableId(`control:${spec.id}:${control.field}`);
    controls[id] = { order, width: 'medium', grow: true, type: 'optionsListControl', explicitInput: { id, fieldName: control.field, title: control.title, selectedOptions: [], enhancements: {} } };
    references.push({ name: `controlGroup_${id}:optionsListDataView`, type: 'index-pattern', id: view.id });
  });
  return savedObject(
    'dashboard',
    stableId(`dashboard:${spec.id}`),
    {
      title: spec.title,
      description: spec.description,
      panelsJSON: JSON.stringify(panels),
      optionsJSON: JSON.stringify({ useMargins: true, syncColors: false, syncCursor: true, syncTooltips: false, hidePanelTitles: false }),
      timeRestore: true,
      timeFrom: spec.timeFrom,
      timeTo: 'now',
      refreshInterval: { pause: false, value: 60_000 },
      controlGroupInput: {
        controlStyle: 'oneLine',
        chainingSystem: 'HIERARCHICAL',
        panelsJSON: JSON.stringify(controls),
        ignoreParentSettingsJSON: JSON.stringify({ ignoreFilters: false, ignoreQuery: false, ignoreTimerange: false, ignoreValidations: false }),
      },
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }) },
      version: 1,
    },
    references,
  );
}

/** Every object a dashboard needs besides the data views and saved searches: its Lens and markdown panels. */
export function panelObjects(spec: DashboardSpec): SavedObject[] {
  return spec.panels.flatMap((panel) => (isLensPanel(panel) ? [lensObject(panel)] : panel.kind === 'markdown' ? [markdownObject(panel)] : []));
}
