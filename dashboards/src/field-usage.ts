import type { DataViewKey } from './panel-spec.ts';
import { dataViews } from './data-views.ts';
import type { SavedObject } from './saved-object.ts';

/** How a saved object uses a field; decides which mapping types can serve it. */
export type Usage = 'date_histogram' | 'terms' | 'unique_count' | 'max' | 'min' | 'filter' | 'control' | 'column' | 'time_field';

export type FieldUse = { object: string; dataView: DataViewKey; field: string; usage: Usage };

const aggregatable = ['keyword', 'ip', 'long', 'double', 'date', 'boolean'];

/** Mapping types each usage accepts (flattened sub-keys count as keyword for filters and columns). */
export const usableTypes: Readonly<Record<Usage, readonly string[]>> = {
  date_histogram: ['date'],
  time_field: ['date'],
  terms: aggregatable,
  unique_count: aggregatable,
  max: ['long', 'double', 'date'],
  min: ['long', 'double', 'date'],
  control: aggregatable,
  filter: [...aggregatable, 'text'],
  column: [...aggregatable, 'text', 'object', 'binary'],
};

const viewById = new Map(Object.entries(dataViews).map(([key, view]) => [view.id, key as DataViewKey]));

/** Field names in a KQL query of the simple form this project writes (`field : value`, `field : *`). */
export function kqlFields(kql: string): string[] {
  const unquoted = kql.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...unquoted.matchAll(/([A-Za-z@_][\w.@]*)\s*:/g)].map((m) => m[1] ?? '');
}

function viewOfRefs(object: SavedObject, prefix = ''): DataViewKey | undefined {
  const ref = object.references.find((r) => r.type === 'index-pattern' && r.name.startsWith(prefix));
  return ref ? viewById.get(ref.id) : undefined;
}

/** Every field used by every Lens column, Lens query and column filter, saved-search query and column, dashboard control and data view time field. */
export function fieldUses(objects: readonly SavedObject[]): FieldUse[] {
  const out: FieldUse[] = [];
  for (const object of objects) {
    const label = `${object.type}:${String(object.attributes['title'])}`;
    if (object.type === 'index-pattern') {
      const view = viewById.get(object.id);
      if (view) out.push({ object: label, dataView: view, field: String(object.attributes['timeFieldName']), usage: 'time_field' });
    }
    if (object.type === 'lens') {
      const view = viewOfRefs(object);
      if (!view) continue;
      const state = object.attributes['state'] as { query: { query: string }; datasourceStates: { formBased: { layers: Record<string, { columns: Record<string, { operationType: string; sourceField?: string; filter?: { query: string } }> }> } } };
      for (const field of kqlFields(state.query.query)) out.push({ object: label, dataView: view, field, usage: 'filter' });
      for (const layer of Object.values(state.datasourceStates.formBased.layers)) {
        for (const column of Object.values(layer.columns)) {
          if (column.filter) for (const field of kqlFields(column.filter.query)) out.push({ object: label, dataView: view, field, usage: 'filter' });
          if (column.operationType === 'count' || !column.sourceField) continue;
          out.push({ object: label, dataView: view, field: column.sourceField, usage: column.operationType as Usage });
        }
      }
    }
    if (object.type === 'search') {
      const view = viewOfRefs(object);
      if (!view) continue;
      const meta = object.attributes['kibanaSavedObjectMeta'] as { searchSourceJSON: string };
      const source = JSON.parse(meta.searchSourceJSON) as { query: { query: string } };
      for (const field of kqlFields(source.query.query)) out.push({ object: label, dataView: view, field, usage: 'filter' });
      for (const field of object.attributes['columns'] as string[]) out.push({ object: label, dataView: view, field, usage: 'column' });
    }
    if (object.type === 'dashboard') {
      const group = object.attributes['controlGroupInput'] as { panelsJSON: string } | undefined;
      if (!group) continue;
      const controls = JSON.parse(group.panelsJSON) as Record<string, { explicitInput: { fieldName: string } }>;
      for (const [id, control] of Object.entries(controls)) {
        const view = viewOfRefs(object, `controlGroup_${id}:`);
        if (view) out.push({ object: label, dataView: view, field: control.explicitInput.fieldName, usage: 'control' });
      }
    }
  }
  return out;
}

/** The mapping type that serves `field`: the field itself, or `keyword` for a key under a flattened field. */
export function typeOfField(fields: ReadonlyMap<string, string>, field: string): string | undefined {
  const direct = fields.get(field);
  if (direct !== undefined) return direct;
  const parts = field.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    if (fields.get(parts.slice(0, i).join('.')) === 'flattened') return 'keyword';
  }
  return undefined;
}

/** Every use whose field is missing from its data view's mapping or mapped with a type that usage cannot use. */
export function incompatibleUses(uses: readonly FieldUse[], mappings: Readonly<Record<DataViewKey, ReadonlyMap<string, string>>>): string[] {
  const problems: string[] = [];
  for (const use of uses) {
    const type = typeOfField(mappings[use.dataView], use.field);
    if (type === undefined) problems.push(`${use.object}: ${use.field} (${use.usage}) is not in the ${use.dataView} mapping`);
    else if (!usableTypes[use.usage].includes(type)) problems.push(`${use.object}: ${use.field} is ${type}, unusable for ${use.usage}`);
  }
  return problems;
}
