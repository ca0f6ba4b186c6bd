import { createHash } from 'node:crypto';
import type { ActivitySummary, PrincipalActivity } from './activity.ts';
import { prefixOf } from './ip-prefix.ts';
import { authMethodOf, rolesOf, scopesOf, type DbUserState, type PostureView } from './posture.ts';
import { privilegedRolesOf } from './privilege.ts';
import type { ChangeKind, PreviousReview, Review, ReviewRow, ReviewSummary } from './review-model.ts';

export type ReviewInput = {
  project: string;
  fromIso: string;
  toIso: string;
  generatedAtIso: string;
  timeZone: string;
  dormantDays: number;
  posture: PostureView;
  activity: ActivitySummary;
  previous?: PreviousReview;
};

const DAY_MS = 86_400_000;

/** Deterministic review id: hex sha256 of (project, from, to), first 32 characters; a re-run of the same window replaces it. */
export function reviewIdOf(project: string, fromIso: string, toIso: string): string {
  return createHash('sha256').update(`${project.length}:${project}|${fromIso}|${toIso}`).digest('hex').slice(0, 32);
}

function uniqueSorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

function laterOf(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}

function earlierOf(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}

type Base = { principal: string; authDb: string; type: ReviewRow['principal_type']; status: ReviewRow['status']; state?: DbUserState; firstSeen?: string; lastChanged?: string };

/**
 * Builds the access review: one row per database user existing at the window end, per user
 * removed since the previous review (or during the window), and per principal that authenticated
 * in the window without being a configured database user. Flags privileged (by role), dormant
 * (no successful login for `dormantDays` before the window end; never-used accounts count from
 * their creation) and changes against the previous review. Reviewer columns are left empty.
 * Pure and deterministic for the same input.
 */
export function buildReview(input: ReviewInput): Review {
  const toMs = Date.parse(input.toIso);
  const fromMs = Date.parse(input.fromIso);
  const bases = new Map<string, Base>();
  for (const u of input.posture.users.values()) {
    bases.set(u.state.username, { principal: u.state.username, authDb: u.state.databaseName, type: 'database_user', status: 'active', state: u.state, firstSeen: u.firstSeen, lastChanged: u.lastChanged });
  }
  const previousRoles = new Map((input.previous?.principals ?? []).map((p) => [p.principal, [...p.roles]]));
  for (const [, r] of input.posture.removed) {
    const name = r.state.username;
    if (bases.has(name)) continue;
    const removedAt = Date.parse(r.removedAt);
    if (previousRoles.has(name) || (removedAt >= fromMs && removedAt <= toMs)) {
      bases.set(name, { principal: name, authDb: r.state.databaseName, type: 'database_user', status: 'removed', state: r.state, lastChanged: r.removedAt });
    }
  }
  for (const [name, a] of input.activity.principals) {
    if (!bases.has(name) && a.successes > 0) bases.set(name, { principal: name, authDb: '', type: 'unmanaged', status: 'active' });
  }
  // A database user of the previous review that no posture record mentions any more is gone;
  // an unmanaged principal that did not log in this time simply has no row.
  for (const p of input.previous?.principals ?? []) {
    if (!bases.has(p.principal) && p.principal_type !== 'unmanaged') bases.set(p.principal, { principal: p.principal, authDb: '', type: 'database_user', status: 'removed' });
  }

  const rows = [...bases.values()].sort((a, b) => a.principal.localeCompare(b.principal)).map((base) => rowOf(base, input, toMs, previousRoles));
  return {
    id: reviewIdOf(input.project, input.fromIso, input.toIso),
    project: input.project,
    from: input.fromIso,
    to: input.toIso,
    generated_at: input.generatedAtIso,
    time_zone: input.timeZone,
    dormant_days: input.dormantDays,
    previous_review_id: input.previous?.id ?? null,
    rows,
    per_day: input.activity.perDay,
    summary: summaryOf(rows, input.activity.perDay.reduce((n, d) => n + d.failure, 0)),
  };
}

function rowOf(base: Base, input: ReviewInput, toMs: number, previousRoles: ReadonlyMap<string, string[]>): ReviewRow {
  const activity: PrincipalActivity = input.activity.principals.get(base.principal) ?? { successes: 0, failures: 0, sourceIps: [], failureIps: [], adminActions: 0, adminActionTypes: [], alerts: 0, alertRules: [] };
  const life = input.activity.lifecycle.get(base.principal) ?? {};
  const roles = base.status === 'removed' ? [] : base.state ? rolesOf(base.state) : [];
  const privilegedRoles = base.state && base.status === 'active' ? privilegedRolesOf(base.state, input.posture.customRoles) : [];
  const created = earlierOf(life.created, base.firstSeen);
  const changed = laterOf(life.changed, base.lastChanged);
  const lastEver = laterOf(input.activity.lastSuccessEver.get(base.principal), activity.lastSuccess);
  const dormantLimitMs = input.dormantDays * DAY_MS;
  const dormant = base.status === 'active' && (lastEver !== undefined ? toMs - Date.parse(lastEver) > dormantLimitMs : created === undefined || toMs - Date.parse(created) > dormantLimitMs);

  let change: ChangeKind = 'first_review';
  let granted: string[] = [];
  let revoked: string[] = [];
  if (input.previous !== undefined) {
    const before = previousRoles.get(base.principal);
    if (base.status === 'removed') {
      change = 'removed';
      revoked = before ?? (base.state ? rolesOf(base.state) : []);
    } else if (before === undefined) {
      change = 'new';
      granted = roles;
    } else {
      granted = roles.filter((r) => !before.includes(r));
      revoked = before.filter((r) => !roles.includes(r)).sort();
      change = granted.length + revoked.length > 0 ? 'roles_changed' : 'unchanged';
    }
  } else if (base.status === 'removed') {
    change = 'removed';
    revoked = base.state ? rolesOf(base.state) : [];
  }

  return {
    principal: base.principal,
    auth_database: base.state?.databaseName ?? base.authDb,
    principal_type: base.type,
    status: base.status,
    auth_method: base.state ? authMethodOf(base.state) : 'unknown',
    roles,
    scopes: base.state && base.status === 'active' ? scopesOf(base.state) : [],
    privileged: privilegedRoles.length > 0,
    privileged_roles: privilegedRoles,
    created_at: created ?? '',
    changed_at: changed ?? '',
    last_successful_login: lastEver ?? '',
    successful_logins: activity.successes,
    source_ips: activity.sourceIps,
    source_prefixes: uniqueSorted(activity.sourceIps.flatMap((ip) => prefixOf(ip) ?? [])),
    failed_logins: activity.failures,
    admin_actions: activity.adminActions,
    admin_action_types: activity.adminActionTypes,
    alerts: activity.alerts,
    alert_rules: activity.alertRules,
    dormant,
    days_since_last_login: lastEver === undefined ? null : Math.floor((toMs - Date.parse(lastEver)) / DAY_MS),
    change,
    changed: change === 'new' || change === 'roles_changed' || change === 'removed',
    roles_granted: granted,
    roles_revoked: revoked,
    reviewer: '',
    decision: '',
    justification: '',
    decided_at: '',
  };
}

function summaryOf(rows: readonly ReviewRow[], failedAllUsers: number): ReviewSummary {
  return {
    principals: rows.length,
    privileged: rows.filter((r) => r.privileged).length,
    dormant: rows.filter((r) => r.dormant).length,
    changed: rows.filter((r) => r.changed).length,
    new: rows.filter((r) => r.change === 'new').length,
    removed: rows.filter((r) => r.change === 'removed').length,
    successful_logins: rows.reduce((n, r) => n + r.successful_logins, 0),
    failed_logins: rows.reduce((n, r) => n + r.failed_logins, 0),
    failed_logins_all_users: failedAllUsers,
    alerts: rows.reduce((n, r) => n + r.alerts, 0),
  };
}
