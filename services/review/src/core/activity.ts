import { CHANGE_ACTIONS, CREATE_ACTIONS } from './activity-queries.ts';

/** What a principal did in the review window (from Elasticsearch aggregations). */
export type PrincipalActivity = {
  successes: number;
  lastSuccess?: string;
  failures: number;
  sourceIps: string[];
  failureIps: string[];
  adminActions: number;
  adminActionTypes: string[];
  alerts: number;
  alertRules: string[];
};

export type DayCount = { day: string; success: number; failure: number };

export type ActivitySummary = {
  principals: Map<string, PrincipalActivity>;
  /** Last successful authentication per principal, over the dormancy look-back. */
  lastSuccessEver: Map<string, string>;
  perDay: DayCount[];
  lifecycle: Map<string, { created?: string; changed?: string }>;
};

type Bucket = Record<string, unknown> & { key?: unknown; key_as_string?: unknown; doc_count?: unknown };

const o = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
const bucketsOf = (agg: unknown): Bucket[] => (Array.isArray(o(agg)['buckets']) ? (o(agg)['buckets'] as Bucket[]) : []);
const count = (v: unknown): number => (typeof v === 'number' ? v : 0);
const iso = (agg: unknown): string | undefined => {
  const value = o(agg)['value'];
  return typeof value === 'number' ? new Date(value).toISOString() : undefined;
};
const keys = (agg: unknown): string[] => bucketsOf(agg).map((b) => String(b.key));

function emptyActivity(): PrincipalActivity {
  return { successes: 0, failures: 0, sourceIps: [], failureIps: [], adminActions: 0, adminActionTypes: [], alerts: 0, alertRules: [] };
}

/**
 * Folds the aggregation responses of the review queries (activity-queries.ts) into one summary.
 * Missing or malformed aggregations count as no activity; never throws.
 */
export function summariseActivity(responses: { auth: unknown; lastSuccess: unknown; admin: unknown; alerts: unknown; lifecycle: unknown }): ActivitySummary {
  const principals = new Map<string, PrincipalActivity>();
  const get = (name: string): PrincipalActivity => {
    let a = principals.get(name);
    if (a === undefined) {
      a = emptyActivity();
      principals.set(name, a);
    }
    return a;
  };
  const aggs = (r: unknown): Record<string, unknown> => o(o(r)['aggregations']);

  for (const b of bucketsOf(aggs(responses.auth)['by_user'])) {
    const a = get(String(b.key));
    const success = o(b['success']);
    a.successes = count(success['doc_count']);
    const last = iso(success['last']);
    if (last !== undefined && a.successes > 0) a.lastSuccess = last;
    a.sourceIps = keys(success['ips']).sort();
    a.failures = count(o(b['failure'])['doc_count']);
    a.failureIps = keys(o(b['failure'])['ips']).sort();
  }
  const perDay = bucketsOf(aggs(responses.auth)['per_day']).map((b) => {
    const outcome = new Map(bucketsOf(b['outcome']).map((x) => [String(x.key), count(x.doc_count)]));
    return { day: String(b.key_as_string ?? b.key), success: outcome.get('success') ?? 0, failure: outcome.get('failure') ?? 0 };
  });
  const lastSuccessEver = new Map<string, string>();
  for (const b of bucketsOf(aggs(responses.lastSuccess)['by_user'])) {
    const last = iso(b['last']);
    if (last !== undefined) lastSuccessEver.set(String(b.key), last);
  }
  for (const b of bucketsOf(aggs(responses.admin)['by_user'])) {
    const a = get(String(b.key));
    a.adminActions = count(b.doc_count);
    a.adminActionTypes = keys(b['actions']);
  }
  for (const b of bucketsOf(aggs(responses.alerts)['by_user'])) {
    const a = get(String(b.key));
    a.alerts = count(b.doc_count);
    a.alertRules = keys(b['rules']).sort();
  }
  const lifecycle = new Map<string, { created?: string; changed?: string }>();
  for (const target of ['by_activity_target', 'by_audit_target']) {
    for (const b of bucketsOf(aggs(responses.lifecycle)[target])) {
      const entry = lifecycle.get(String(b.key)) ?? {};
      for (const action of bucketsOf(b['actions'])) {
        const name = String(action.key);
        const first = iso(action['first']);
        const last = iso(action['last']);
        if (CREATE_ACTIONS.includes(name) && first !== undefined && (entry.created === undefined || first < entry.created)) entry.created = first;
        if (CHANGE_ACTIONS.includes(name) && last !== undefined && (entry.changed === undefined || last > entry.changed)) entry.changed = last;
      }
      lifecycle.set(String(b.key), entry);
    }
  }
  return { principals, lastSuccessEver, perDay, lifecycle };
}
