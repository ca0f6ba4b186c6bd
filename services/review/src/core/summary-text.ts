import type { Review } from './review-model.ts';

export type SummaryInput = { review: Review; directory: string; files: ReadonlyArray<{ path: string; bytes: number; sha256: string }>; sha256: string; index: string; indexed: number; collection: string };

/** The short human summary the CLI prints after a review: window, counts, flags, where the files are. */
export function reviewSummaryText(input: SummaryInput): string {
  const { review } = input;
  const s = review.summary;
  const lines = [
    `Access review ${review.id} for project ${review.project}`,
    `  window     ${review.from} – ${review.to} (${review.time_zone}, end exclusive)`,
    `  compared   ${review.previous_review_id === null ? 'first review (no earlier review stored)' : `with review ${review.previous_review_id}`}`,
    `  principals ${s.principals}: ${s.privileged} privileged, ${s.dormant} dormant (>${review.dormant_days} days), ${s.changed} changed (${s.new} new, ${s.removed} removed)`,
    `  activity   ${s.successful_logins} successful logins, ${s.failed_logins} failed logins by principals (${s.failed_logins_all_users} by any user name), ${s.alerts} alerts`,
  ];
  const flagged = review.rows.filter((r) => r.privileged || r.dormant || r.changed).slice(0, 10);
  for (const r of flagged) {
    const flags = [r.privileged ? 'privileged' : '', r.dormant ? 'dormant' : '', r.changed ? r.change.replace('_', ' ') : ''].filter((f) => f !== '').join(', ');
    lines.push(`    - ${r.principal}: ${flags}`);
  }
  if (review.rows.filter((r) => r.privileged || r.dormant || r.changed).length > flagged.length) lines.push('    - …');
  lines.push(`  files      ${input.directory}`);
  for (const f of input.files) lines.push(`    ${f.path}  ${f.bytes} bytes  sha256 ${f.sha256}`);
  lines.push(`  checksums  ${input.directory}/SHA256SUMS  sha256 ${input.sha256}`);
  lines.push(`  stored     MongoDB collection ${input.collection}; ${input.indexed} rows indexed into ${input.index}`);
  return `${lines.join('\n')}\n`;
}
