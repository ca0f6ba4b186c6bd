import type { Review, ReviewRow } from './review-model.ts';

/** Index name of the review rows of a namespace (matches `atlas-audit-review-*`). */
export function reviewIndexName(namespace: string): string {
  return `atlas-audit-review-${namespace}`;
}

/** One Elasticsearch document per review row; `_id` = `<review id>:<principal>` so a re-run replaces it. */
export function reviewRowDocs(review: Review): Array<{ id: string; doc: Record<string, unknown> }> {
  return review.rows.map((row) => ({
    id: `${review.id}:${row.principal}`,
    doc: {
      '@timestamp': review.to,
      review: { id: review.id, from: review.from, to: review.to, generated_at: review.generated_at, dormant_days: review.dormant_days },
      cloud: { project: { id: review.project } },
      // Empty strings (no date, no decision yet) are indexed as absent.
      row: Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === '' ? null : v])),
    },
  }));
}

const keyword = { type: 'keyword', ignore_above: 1024 };
const date = { type: 'date' };

/** The mapping of the review index (strict, so a typo in a row field fails loudly). */
export function reviewIndexMapping(): Record<string, unknown> {
  const rowFields: Record<string, unknown> = {};
  const dates = ['created_at', 'changed_at', 'last_successful_login', 'decided_at'];
  const numbers = ['successful_logins', 'failed_logins', 'admin_actions', 'alerts', 'days_since_last_login'];
  const booleans = ['privileged', 'dormant', 'changed'];
  const names: Array<keyof ReviewRow> = ['principal', 'auth_database', 'principal_type', 'status', 'auth_method', 'roles', 'scopes', 'privileged_roles', 'source_prefixes', 'admin_action_types', 'alert_rules', 'change', 'roles_granted', 'roles_revoked', 'reviewer', 'decision', 'justification'];
  for (const n of names) rowFields[n] = keyword;
  for (const n of dates) rowFields[n] = { ...date, ignore_malformed: true };
  for (const n of numbers) rowFields[n] = { type: 'long' };
  for (const n of booleans) rowFields[n] = { type: 'boolean' };
  rowFields['source_ips'] = { type: 'ip', ignore_malformed: true };
  return {
    dynamic: 'strict',
    properties: {
      '@timestamp': date,
      review: { properties: { id: keyword, from: date, to: date, generated_at: date, dormant_days: { type: 'integer' } } },
      cloud: { properties: { project: { properties: { id: keyword } } } },
      row: { properties: rowFields },
    },
  };
}
