import type { DayCount } from './activity.ts';

/** How a principal changed since the previous review. */
export const changeKinds = ['first_review', 'unchanged', 'new', 'roles_changed', 'removed'] as const;
export type ChangeKind = (typeof changeKinds)[number];

/** One row of the access review: one principal of one project. */
export type ReviewRow = {
  principal: string;
  auth_database: string;
  /** database_user: in the posture snapshots; unmanaged: authenticated but not a configured database user. */
  principal_type: 'database_user' | 'unmanaged';
  status: 'active' | 'removed';
  auth_method: string;
  roles: string[];
  scopes: string[];
  privileged: boolean;
  privileged_roles: string[];
  created_at: string;
  changed_at: string;
  last_successful_login: string;
  successful_logins: number;
  source_ips: string[];
  source_prefixes: string[];
  failed_logins: number;
  admin_actions: number;
  admin_action_types: string[];
  alerts: number;
  alert_rules: string[];
  dormant: boolean;
  days_since_last_login: number | null;
  change: ChangeKind;
  changed: boolean;
  roles_granted: string[];
  roles_revoked: string[];
  reviewer: string;
  decision: string;
  justification: string;
  decided_at: string;
};

export type ReviewSummary = {
  principals: number;
  privileged: number;
  dormant: number;
  changed: number;
  new: number;
  removed: number;
  successful_logins: number;
  failed_logins: number;
  /** Failed logins of every user name, including ones that are no principal (e.g. guessed names). */
  failed_logins_all_users: number;
  alerts: number;
};

/** A complete access review of one project and window. */
export type Review = {
  id: string;
  project: string;
  from: string;
  to: string;
  generated_at: string;
  time_zone: string;
  dormant_days: number;
  previous_review_id: string | null;
  rows: ReviewRow[];
  per_day: DayCount[];
  summary: ReviewSummary;
};

/** What the next review compares against: each principal's roles at the previous review. */
export type PreviousReview = { id: string; to: string; principals: ReadonlyArray<{ principal: string; roles: readonly string[]; principal_type?: ReviewRow['principal_type'] }> };
