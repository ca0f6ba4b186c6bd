import type { Bucket, Metric, PanelSpec } from './panel-spec.ts';
import { toKql } from './panel-spec.ts';
import { dataViews } from './data-views.ts';
import { savedObject, stableId, type SavedObject } from './saved-object.ts';

type Column = Record<string, unknown>;

const bucketId = (i: number): string => `b${i}`;
const metricId = (i: number): string => `m${i}`;

function dataTypeOf(field: string): string {
  if (field === '@timestamp' || field === 'timestamp' || field.endsWith('.ingested')) return 'date';
  if (field.endsWith('.ip')) return 'ip';
  return 'string';
}

function bucketColumn(bucket: Bucket, panel: PanelSpec): Column {
  if (bucket.kind === 'date_histogram') {
    return {
      label: bucket.label ?? bucket.field,
      customLabel: bucket.label !== undefined,
      dataType: 'date',
      operationType: 'date_histogram',
      sourceField: bucket.field,
      isBucketed: true,
      scale: 'interval',
      params: { interval: bucket.interval ?? 'auto', includeEmptyRows: true, dropPartials: false },
    };
  }
  return {
    label: bucket.label ?? `Top ${bucket.size} values of ${bucket.field}`,
    customLabel: bucket.label !== undefined,
    dataType: dataTypeOf(bucket.field),
    operationType: 'terms',
    sourceField: bucket.field,
    isBucketed: true,
    scale: 'ordinal',
    params: {
      size: bucket.size,
      orderBy: panel.metrics.length > 0 ? { type: 'column', columnId: metricId(bucket.orderBy ?? 0) } : { type: 'alphabetical' },
      orderDirection: 'desc',
      otherBucket: false,
      missingBucket: false,
      parentFormat: { id: 'terms' },
    },
  };
}

function metricColumn(metric: Metric): Column {
  const filter = metric.where && metric.where.length > 0 ? { filter: { query: toKql(metric.where), language: 'kuery' } } : {};
  if (metric.kind === 'count') {
    return { label: metric.label ?? 'Count of records', customLabel: metric.label !== undefined, dataType: 'number', operationType: 'count', isBucketed: false, scale: 'ratio', sourceField: '___records___', params: { emptyAsNull: true }, ...filter };
  }
  const isDate = dataTypeOf(metric.field) === 'date';
  return {
    label: metric.label ?? `${metric.kind === 'unique_count' ? 'Unique count' : metric.kind === 'max' ? 'Maximum' : 'Minimum'} of ${metric.field}`,
    customLabel: metric.label !== undefined,
    dataType: metric.kind === 'unique_count' || !isDate ? 'number' : 'date',
    operationType: metric.kind,
    sourceField: metric.field,
    isBucketed: false,
    scale: 'ratio',
    params: { emptyAsNull: true },
    ...filter,
  };
}

function visualization(panel: PanelSpec, layerId: string): Record<string, unknown> {
  const buckets = panel.buckets.map((_, i) => bucketId(i));
  const metrics = panel.metrics.map((_, i) => metricId(i));
  switch (panel.visual) {
    case 'metric':
      return { layerId, layerType: 'data', metricAccessor: metrics[0] };
    case 'table':
      return { layerId, layerType: 'data', columns: [...buckets, ...metrics].map((columnId) => ({ columnId, isTransposed: false })) };
    case 'donut':
      return { shape: 'donut', layers: [{ layerId, layerType: 'data', primaryGroups: buckets, metrics, numberDisplay: 'percent', categoryDisplay: 'default', legendDisplay: 'default', nestedLegend: false }] };
    case 'heatmap':
      return {
        layerId,
        layerType: 'data',
        shape: 'heatmap',
        xAccessor: buckets[0],
        yAccessor: buckets[1],
        valueAccessor: metrics[0],
        legend: { isVisible: true, position: 'right', type: 'heatmap_legend' },
        gridConfig: { type: 'heatmap_grid', isCellLabelVisible: false, isYAxisLabelVisible: true, isXAxisLabelVisible: true, isYAxisTitleVisible: false, isXAxisTitleVisible: false },
      };
    default:
      return {
        legend: { isVisible: true, position: 'right' },
        valueLabels: 'hide',
        preferredSeriesType: panel.visual,
        layers: [{ layerId, layerType: 'data', seriesType: panel.visual, xAccessor: buckets[0], accessors: metrics, ...(buckets[1] ? { splitAccessor: buckets[1] } : {}) }],
      };
  }
}

const visualizationTypes = { bar_stacked: 'lnsXY', line: 'lnsXY', metric: 'lnsMetric', table: 'lnsDatatable', donut: 'lnsPie', heatmap: 'lnsHeatmap' } as const;

/** The Lens saved object of a panel spec: one form-based layer over the panel's data view, the spec's conditions as its KQL query. */
export function lensObject(panel: PanelSpec): SavedObject {
  const layerId = stableId(`layer:${panel.id}`);
  const columns: Record<string, Column> = {};
  panel.buckets.forEach((b, i) => (columns[bucketId(i)] = bucketColumn(b, panel)));
  panel.metrics.forEach((m, i) => (columns[metricId(i)] = metricColumn(m)));
  const view = dataViews[panel.dataView];
  return savedObject(
    'lens',
    lensId(panel),
    {
      title: panel.title,
      description: '',
      visualizationType: visualizationTypes[panel.visual],
      state: {
        datasourceStates: { formBased: { layers: { [layerId]: { columns, columnOrder: Object.keys(columns), incompleteColumns: {} } } } },
        visualization: visualization(panel, layerId),
        query: { query: toKql(panel.where), language: 'kuery' },
        filters: [],
        internalReferences: [],
        adHocDataViews: {},
      },
    },
    [{ type: 'index-pattern', id: view.id, name: `indexpattern-datasource-layer-${layerId}` }],
  );
}

/** The saved-object id of a panel's Lens visualization. */
export function lensId(panel: PanelSpec): string {
  return stableId(`lens:${panel.id}`);
}
