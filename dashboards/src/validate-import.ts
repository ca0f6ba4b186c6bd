/**
 * Static checks that mirror what Kibana's saved-objects import does with an NDJSON file
 * (import lib, document migrator and the type schemas): line syntax, unique type:id,
 * importable types, attribute shapes, migration versions, references that resolve, and the
 * per-type reference conventions (Lens layers, dashboard panels and controls, search source).
 * Pure: returns every problem found, empty when the file would import cleanly.
 */

const importableTypes = new Set(['index-pattern', 'dashboard', 'lens', 'visualization', 'search', 'tag', 'map', 'query', 'event-annotation-group']);

/** Highest typeMigrationVersion each type accepts on the target (Kibana 8.19); a newer one is rejected with 422. */
export const targetTypeVersions: Readonly<Record<string, string>> = { 'index-pattern': '8.0.0', search: '10.1.0', lens: '8.9.0', dashboard: '10.2.0', visualization: '8.5.0' };
export const TARGET_CORE_VERSION = '8.8.0';

const dashboardAttributes = new Set(['title', 'description', 'kibanaSavedObjectMeta', 'panelsJSON', 'optionsJSON', 'timeRestore', 'timeFrom', 'timeTo', 'refreshInterval', 'controlGroupInput', 'hits', 'version']);
const indexPatternAttributes = new Set(['title', 'name', 'timeFieldName', 'allowHidden', 'fields', 'fieldFormatMap', 'runtimeFieldMap', 'sourceFilters', 'fieldAttrs', 'typeMeta', 'allowNoIndex']);
const lensAttributes = new Set(['title', 'description', 'visualizationType', 'state']);
const lensVisualizations = new Set(['lnsXY', 'lnsMetric', 'lnsLegacyMetric', 'lnsDatatable', 'lnsPie', 'lnsHeatmap', 'lnsGauge', 'lnsTagcloud', 'lnsMosaic', 'lnsWaffle', 'lnsPartition']);

type Obj = Record<string, unknown>;
type Ref = { id: string; name: string; type: string };

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function parseJsonString(value: unknown, where: string, problems: string[]): unknown {
  if (typeof value !== 'string') {
    problems.push(`${where}: must be a JSON string`);
    return undefined;
  }
  try {
    return JSON.parse(value);
  } catch {
    problems.push(`${where}: is not valid JSON`);
    return undefined;
  }
}

/** Every `*JSON` attribute, at any depth, must be a string that parses. */
function checkJsonStrings(value: unknown, path: string, problems: string[]): void {
  if (!isObj(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const where = `${path}.${key}`;
    if (key.endsWith('JSON')) parseJsonString(child, where, problems);
    else checkJsonStrings(child, where, problems);
  }
}

function checkLens(label: string, attributes: Obj, references: Ref[], problems: string[]): void {
  for (const key of Object.keys(attributes)) if (!lensAttributes.has(key)) problems.push(`${label}: unknown lens attribute '${key}'`);
  if (typeof attributes['visualizationType'] !== 'string' || !lensVisualizations.has(attributes['visualizationType'])) problems.push(`${label}: unknown visualizationType`);
  const state = attributes['state'];
  if (!isObj(state)) {
    problems.push(`${label}: state missing`);
    return;
  }
  const query = state['query'];
  if (!isObj(query) || typeof query['query'] !== 'string' || (query['language'] !== 'kuery' && query['language'] !== 'lucene')) problems.push(`${label}: state.query must be {query, language}`);
  if (!Array.isArray(state['filters'])) problems.push(`${label}: state.filters must be an array`);
  if (!isObj(state['visualization'])) problems.push(`${label}: state.visualization missing`);
  const datasources = state['datasourceStates'];
  const layers = isObj(datasources) && isObj(datasources['formBased']) ? datasources['formBased']['layers'] : undefined;
  if (!isObj(layers) || Object.keys(layers).length === 0) {
    problems.push(`${label}: no formBased layers`);
    return;
  }
  const layerRefs = new Set(references.filter((r) => r.name.startsWith('indexpattern-datasource-layer-')).map((r) => r.name.slice('indexpattern-datasource-layer-'.length)));
  const columnIds = new Set<string>();
  for (const [layerId, layer] of Object.entries(layers)) {
    if (!layerRefs.has(layerId)) problems.push(`${label}: layer ${layerId} has no indexpattern-datasource-layer reference`);
    const columns = isObj(layer) ? layer['columns'] : undefined;
    const order = isObj(layer) ? layer['columnOrder'] : undefined;
    if (!isObj(columns) || !Array.isArray(order)) {
      problems.push(`${label}: layer ${layerId} needs columns and columnOrder`);
      continue;
    }
    for (const id of order) if (typeof id !== 'string' || !(id in columns)) problems.push(`${label}: columnOrder names unknown column ${String(id)}`);
    for (const [id, column] of Object.entries(columns)) {
      columnIds.add(id);
      if (!isObj(column) || typeof column['operationType'] !== 'string' || typeof column['isBucketed'] !== 'boolean') problems.push(`${label}: column ${id} needs operationType and isBucketed`);
      else if (column['operationType'] !== 'count' && typeof column['sourceField'] !== 'string') problems.push(`${label}: column ${id} needs a sourceField`);
    }
  }
  for (const layerId of layerRefs) if (!(layerId in layers)) problems.push(`${label}: reference to missing layer ${layerId}`);
  const accessors = JSON.stringify(state['visualization']).match(/"(?:xAccessor|yAccessor|valueAccessor|metricAccessor|splitAccessor|columnId)":"([^"]+)"/g) ?? [];
  for (const match of accessors) {
    const id = match.slice(match.lastIndexOf(':') + 2, -1);
    if (!columnIds.has(id)) problems.push(`${label}: visualization names unknown column ${id}`);
  }
}

function checkDashboard(label: string, attributes: Obj, references: Ref[], problems: string[]): void {
  for (const key of Object.keys(attributes)) if (!dashboardAttributes.has(key)) problems.push(`${label}: attribute '${key}' is not allowed on a dashboard`);
  const panels = parseJsonString(attributes['panelsJSON'] ?? '[]', `${label}.panelsJSON`, problems);
  if (!Array.isArray(panels)) {
    problems.push(`${label}: panelsJSON must be an array`);
    return;
  }
  const seen = new Set<string>();
  for (const panel of panels) {
    if (!isObj(panel)) {
      problems.push(`${label}: a panel is not an object`);
      continue;
    }
    const index = String(panel['panelIndex'] ?? '');
    if (index === '' || seen.has(index)) problems.push(`${label}: panelIndex '${index}' missing or duplicated`);
    seen.add(index);
    const grid = panel['gridData'];
    if (!isObj(grid) || [grid['x'], grid['y'], grid['w'], grid['h']].some((n) => typeof n !== 'number') || Number(grid['x']) + Number(grid['w']) > 48 || grid['i'] !== index) problems.push(`${label}: panel ${index} has invalid gridData`);
    const refName = panel['panelRefName'];
    if (typeof refName !== 'string') {
      if (!isObj(panel['embeddableConfig']) || !('attributes' in panel['embeddableConfig'])) problems.push(`${label}: panel ${index} has neither panelRefName nor by-value attributes`);
      continue;
    }
    const ref = references.find((r) => r.name === `${index}:${refName}`) ?? references.find((r) => r.name === refName);
    if (!ref) problems.push(`${label}: panel ${index} panelRefName '${refName}' matches no reference`);
    else if (panel['type'] !== undefined && panel['type'] !== ref.type) problems.push(`${label}: panel ${index} type ${String(panel['type'])} differs from its reference type ${ref.type}`);
  }
  const controlGroup = attributes['controlGroupInput'];
  if (isObj(controlGroup)) {
    const controls = parseJsonString(controlGroup['panelsJSON'], `${label}.controlGroupInput.panelsJSON`, problems);
    if (isObj(controls)) {
      for (const [id, control] of Object.entries(controls)) {
        const type = isObj(control) ? control['type'] : undefined;
        const suffix = type === 'rangeSliderControl' ? 'rangeSliderDataView' : 'optionsListDataView';
        if (!references.some((r) => r.name === `controlGroup_${id}:${suffix}` && r.type === 'index-pattern')) problems.push(`${label}: control ${id} has no data view reference`);
        const input = isObj(control) ? control['explicitInput'] : undefined;
        if (!isObj(input) || typeof input['fieldName'] !== 'string') problems.push(`${label}: control ${id} has no fieldName`);
      }
    }
  }
}

function checkSearchSource(label: string, attributes: Obj, references: Ref[], problems: string[]): void {
  const meta = attributes['kibanaSavedObjectMeta'];
  if (!isObj(meta)) return;
  const source = parseJsonString(meta['searchSourceJSON'], `${label}.kibanaSavedObjectMeta.searchSourceJSON`, problems);
  if (isObj(source) && typeof source['indexRefName'] === 'string' && !references.some((r) => r.name === source['indexRefName'])) problems.push(`${label}: indexRefName '${source['indexRefName']}' matches no reference`);
}

/** Checks an NDJSON import file; returns every problem (empty when it imports cleanly into an empty Kibana 8.19). */
export function validateImport(ndjson: string): string[] {
  const problems: string[] = [];
  const objects: Obj[] = [];
  ndjson.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const parsed: unknown = JSON.parse(line);
      if (!isObj(parsed)) problems.push(`line ${i + 1}: not a JSON object`);
      else if (!('exportedCount' in parsed)) objects.push(parsed);
    } catch {
      problems.push(`line ${i + 1}: not valid JSON`);
    }
  });
  const keys = new Set<string>();
  for (const object of objects) {
    const key = `${String(object['type'])}:${String(object['id'])}`;
    if (keys.has(key)) problems.push(`${key}: duplicate type:id`);
    keys.add(key);
  }
  for (const object of objects) {
    const type = object['type'];
    const label = `${String(type)}:${String(object['id'])}`;
    if (typeof object['id'] !== 'string' || object['id'] === '') problems.push(`${label}: id missing`);
    if (typeof type !== 'string' || !importableTypes.has(type)) {
      problems.push(`${label}: unsupported_type`);
      continue;
    }
    const attributes = object['attributes'];
    if (!isObj(attributes)) {
      problems.push(`${label}: attributes must be an object`);
      continue;
    }
    if (typeof attributes['title'] !== 'string' || attributes['title'] === '') problems.push(`${label}: attributes.title missing`);
    if (object['coreMigrationVersion'] !== TARGET_CORE_VERSION) problems.push(`${label}: coreMigrationVersion must be ${TARGET_CORE_VERSION}`);
    const version = object['typeMigrationVersion'];
    const max = targetTypeVersions[type];
    if (typeof version !== 'string' || !/^\d+\.\d+\.\d+$/.test(version)) problems.push(`${label}: typeMigrationVersion missing (import would run every migration since 6.x)`);
    else if (max !== undefined && compareVersions(version, max) > 0) problems.push(`${label}: typeMigrationVersion ${version} belongs to a more recent version of Kibana than ${max}`);
    const rawRefs = object['references'];
    const references: Ref[] = [];
    if (!Array.isArray(rawRefs)) problems.push(`${label}: references must be an array`);
    else {
      for (const ref of rawRefs) {
        if (!isObj(ref) || typeof ref['id'] !== 'string' || typeof ref['name'] !== 'string' || typeof ref['type'] !== 'string') problems.push(`${label}: malformed reference`);
        else {
          references.push({ id: ref['id'], name: ref['name'], type: ref['type'] });
          if (ref['type'] !== 'tag' && !keys.has(`${ref['type']}:${ref['id']}`)) problems.push(`${label}: missing_references ${ref['type']}:${ref['id']}`);
        }
      }
      const names = references.map((r) => r.name);
      if (new Set(names).size !== names.length) problems.push(`${label}: duplicate reference names`);
    }
    checkJsonStrings(attributes, label, problems);
    if (type === 'lens') checkLens(label, attributes, references, problems);
    if (type === 'dashboard') checkDashboard(label, attributes, references, problems);
    if (type === 'index-pattern') {
      for (const key of Object.keys(attributes)) if (!indexPatternAttributes.has(key)) problems.push(`${label}: unknown index-pattern attribute '${key}'`);
      for (const key of ['fields', 'fieldFormatMap', 'runtimeFieldMap', 'sourceFilters', 'fieldAttrs', 'typeMeta']) if (key in attributes) parseJsonString(attributes[key], `${label}.${key}`, problems);
    }
    if (type === 'search' || type === 'visualization' || type === 'dashboard') checkSearchSource(label, attributes, references, problems);
    if (type === 'visualization') parseJsonString(attributes['visState'], `${label}.visState`, problems);
  }
  return problems;
}
