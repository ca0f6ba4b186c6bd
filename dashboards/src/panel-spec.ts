/**
 * The machine-readable description of every panel: which data view, which documents
 * (conditions), how they are bucketed and measured. Lens saved objects are generated from it
 * (lens.ts), the KQL of each panel is rendered from it (kql.ts), and the tests translate it
 * into an Elasticsearch query and aggregation (es-query.ts) to run against real data.
 */

export type DataViewKey = 'events' | 'alerts' | 'dlq';

export type Scalar = string | number | boolean;

/** A filter over documents: a field's values, existence, or a combination. */
export type Condition =
  | { field: string; anyOf: readonly Scalar[] }
  | { field: string; exists: true }
  | { or: readonly Condition[] }
  | { not: Condition };

export type Bucket =
  | { kind: 'date_histogram'; field: string; label?: string; interval?: string }
  | { kind: 'terms'; field: string; size: number; label?: string; orderBy?: number };

export type Metric =
  | { kind: 'count'; label?: string; where?: readonly Condition[] }
  | { kind: 'unique_count' | 'max' | 'min'; field: string; label?: string; where?: readonly Condition[] };

export type Visual = 'bar_stacked' | 'line' | 'metric' | 'table' | 'donut' | 'heatmap';

export type Expectation = {
  /** Fewest rows (or buckets of the first dimension) the sample data must produce. */
  minRows: number;
  /** Values that must appear among the first bucket dimension's keys. */
  includes?: readonly string[];
  /** For a metric panel: the least value expected from the sample data. */
  minValue?: number;
};

export type PanelSpec = {
  id: string;
  title: string;
  dataView: DataViewKey;
  visual: Visual;
  where: readonly Condition[];
  buckets: readonly Bucket[];
  metrics: readonly Metric[];
  expect: Expectation;
  /** Width in the 48-column dashboard grid. */
  width?: number;
  height?: number;
};

export type MarkdownSpec = { id: string; kind: 'markdown'; title: string; markdown: string; width?: number; height?: number };
export type SearchPanelSpec = { id: string; kind: 'search'; searchId: string; width?: number; height?: number };
export type DashboardPanel = PanelSpec | MarkdownSpec | SearchPanelSpec;

export type SavedSearchSpec = { id: string; title: string; dataView: DataViewKey; where: readonly Condition[]; columns: readonly string[] };

export type DashboardSpec = {
  id: string;
  title: string;
  description: string;
  dataView: DataViewKey;
  timeFrom: string;
  panels: readonly DashboardPanel[];
};

/** Fields every dashboard offers as controls (options lists). */
export const controlFields = [
  { field: 'cloud.project.id', title: 'Project' },
  { field: 'service.name', title: 'Cluster' },
  { field: 'host.name', title: 'Host' },
] as const;

/** True for a Lens panel spec (not markdown, not a saved search). */
export function isLensPanel(panel: DashboardPanel): panel is PanelSpec {
  return !('kind' in panel);
}

/** Every field a condition reads. */
export function conditionFields(condition: Condition): string[] {
  if ('or' in condition) return condition.or.flatMap(conditionFields);
  if ('not' in condition) return conditionFields(condition.not);
  return [condition.field];
}

/** Renders conditions as one KQL query (AND of the conditions). */
export function toKql(conditions: readonly Condition[]): string {
  return conditions.map((c) => kqlOf(c, conditions.length > 1)).join(' and ');
}

function literal(value: Scalar): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function kqlOf(condition: Condition, nested: boolean): string {
  if ('or' in condition) {
    const inner = condition.or.map((c) => kqlOf(c, true)).join(' or ');
    return nested && condition.or.length > 1 ? `(${inner})` : inner;
  }
  if ('not' in condition) return `not ${kqlOf(condition.not, true)}`;
  if ('exists' in condition) return `${condition.field} : *`;
  const values = condition.anyOf.map(literal);
  return values.length === 1 ? `${condition.field} : ${values[0]}` : `${condition.field} : (${values.join(' or ')})`;
}
