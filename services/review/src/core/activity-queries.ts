/**
 * Elasticsearch request bodies for the access review (pure builders). Every query is filtered
 * to one project and only aggregates: no event document, and so no audit `param`, is ever read.
 */
export type Window = { project: string; fromIso: string; toIso: string; timeZone: string };

const projectFilter = (project: string): Record<string, unknown> => ({ term: { 'cloud.project.id': project } });
const range = (gte: string | undefined, lt: string): Record<string, unknown> => ({ range: { '@timestamp': { ...(gte ? { gte } : {}), lt, format: 'strict_date_optional_time' } } });
const MAX_PRINCIPALS = 10_000;

/** Authentications in the window: per principal successes (last time, source IPs) and failures; per day totals. */
export function authenticationQuery(w: Window): Record<string, unknown> {
  return {
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: [projectFilter(w.project), range(w.fromIso, w.toIso), { term: { 'event.category': 'authentication' } }] } },
    aggs: {
      by_user: {
        terms: { field: 'user.name', size: MAX_PRINCIPALS },
        aggs: {
          success: { filter: { term: { 'event.outcome': 'success' } }, aggs: { last: { max: { field: '@timestamp' } }, ips: { terms: { field: 'source.ip', size: 200 } } } },
          failure: { filter: { term: { 'event.outcome': 'failure' } }, aggs: { ips: { terms: { field: 'source.ip', size: 200 } } } },
        },
      },
      per_day: {
        date_histogram: { field: '@timestamp', calendar_interval: '1d', time_zone: w.timeZone, min_doc_count: 0, extended_bounds: { min: Date.parse(w.fromIso), max: Date.parse(w.toIso) - 1 }, format: 'yyyy-MM-dd' },
        aggs: { outcome: { terms: { field: 'event.outcome', size: 3 } } },
      },
    },
  };
}

/** Last successful authentication per principal from `sinceIso` up to the window end (dormancy). */
export function lastSuccessQuery(w: Window, sinceIso: string): Record<string, unknown> {
  return {
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: [projectFilter(w.project), range(sinceIso, w.toIso), { term: { 'event.category': 'authentication' } }, { term: { 'event.outcome': 'success' } }] } },
    aggs: { by_user: { terms: { field: 'user.name', size: MAX_PRINCIPALS }, aggs: { last: { max: { field: '@timestamp' } } } } },
  };
}

/** Administrative actions per acting principal in the window, with the most frequent actions. */
export function adminActionsQuery(w: Window): Record<string, unknown> {
  return {
    size: 0,
    track_total_hits: false,
    query: {
      bool: {
        filter: [projectFilter(w.project), range(w.fromIso, w.toIso), { terms: { 'event.type': ['admin', 'change', 'creation', 'deletion'] } }],
        must_not: [{ term: { 'event.category': 'authentication' } }, { term: { 'event.dataset': 'atlas.posture' } }],
      },
    },
    aggs: { by_user: { terms: { field: 'user.name', size: MAX_PRINCIPALS }, aggs: { actions: { terms: { field: 'event.action', size: 10 } } } } },
  };
}

/** Alerts per principal in the window (alerts index), with rule ids. */
export function alertsQuery(w: Window): Record<string, unknown> {
  return {
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: [projectFilter(w.project), range(w.fromIso, w.toIso)] } },
    aggs: { by_user: { terms: { field: 'user.name', size: MAX_PRINCIPALS }, aggs: { rules: { terms: { field: 'rule.id', size: 20 } } } } },
  };
}

/** Control-plane and audit user-management actions: when each database user was created and last changed. */
export const CREATE_ACTIONS: readonly string[] = ['MONGODB_USER_ADDED', 'createUser'];
export const CHANGE_ACTIONS: readonly string[] = ['MONGODB_USER_UPDATED', 'updateUser', 'grantRolesToUser', 'revokeRolesFromUser', 'MONGODB_USER_X509_CERT_CREATED'];

/** Creation and change times per target user, up to the window end. */
export function lifecycleQuery(w: Window): Record<string, unknown> {
  const sub = { actions: { terms: { field: 'event.action', size: 20 }, aggs: { first: { min: { field: '@timestamp' } }, last: { max: { field: '@timestamp' } } } } };
  return {
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: [projectFilter(w.project), range(undefined, w.toIso), { terms: { 'event.action': [...CREATE_ACTIONS, ...CHANGE_ACTIONS] } }] } },
    aggs: {
      by_activity_target: { terms: { field: 'atlas.activity.db_user_username', size: MAX_PRINCIPALS }, aggs: sub },
      by_audit_target: { terms: { field: 'user.target.name', size: MAX_PRINCIPALS }, aggs: sub },
    },
  };
}
