import { barChartSvg, escapeHtml } from './svg-chart.ts';
import type { Review, ReviewRow } from './review-model.ts';

const style = `
body{font-family:sans-serif;margin:24px;color:#1d2733;background:#fff}
h1{font-size:22px;margin:0 0 4px} .meta{color:#555;font-size:13px;margin-bottom:16px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0 20px}
.card{border:1px solid #d0d7de;border-radius:6px;padding:10px 14px;min-width:110px}
.card b{display:block;font-size:22px} .card span{font-size:12px;color:#555}
.charts{display:flex;flex-wrap:wrap;gap:16px;margin-bottom:20px}
table{border-collapse:collapse;font-size:11px;width:100%;table-layout:auto}
th,td{border:1px solid #d0d7de;padding:3px 5px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f1f4f8} tr.priv td:first-child{border-left:4px solid #c62828}
.flag{display:inline-block;border-radius:3px;padding:0 4px;margin:1px;font-size:11px;color:#fff}
.f-priv{background:#c62828}.f-dorm{background:#6d4c41}.f-chg{background:#1565c0}.f-rem{background:#555}
`;

function flags(row: ReviewRow): string {
  const out: string[] = [];
  if (row.privileged) out.push('<span class="flag f-priv">privileged</span>');
  if (row.dormant) out.push('<span class="flag f-dorm">dormant</span>');
  if (row.status === 'removed') out.push('<span class="flag f-rem">removed</span>');
  else if (row.changed) out.push(`<span class="flag f-chg">${escapeHtml(row.change.replace('_', ' '))}</span>`);
  return out.join(' ');
}

const list = (values: readonly string[]): string => values.map(escapeHtml).join('<br>');

/**
 * Renders the review as one self-contained HTML page: summary cards, inline SVG charts (logins
 * per day, failed logins per day, privileged principals), and the principal table with flags
 * and empty reviewer columns. No scripts, no external resources; every value is HTML-escaped.
 */
export function renderHtmlReport(review: Review): string {
  const s = review.summary;
  const cards = [
    ['principals', s.principals],
    ['privileged', s.privileged],
    ['dormant', s.dormant],
    ['changed', s.changed],
    ['successful logins', s.successful_logins],
    ['failed logins (all users)', s.failed_logins_all_users],
    ['alerts', s.alerts],
  ]
    .map(([label, value]) => `<div class="card"><b>${value}</b><span>${escapeHtml(String(label))}</span></div>`)
    .join('');
  const days = review.per_day.map((d) => ({ label: d.day.slice(5), success: d.success, failure: d.failure }));
  const privileged = review.rows.filter((r) => r.privileged);
  const charts = [
    barChartSvg('Successful logins per day', days.map((d) => ({ label: d.label, value: d.success })), '#2e7d32'),
    barChartSvg('Failed logins per day', days.map((d) => ({ label: d.label, value: d.failure })), '#c62828'),
    barChartSvg(
      `Privileged principals (${privileged.length}): successful logins`,
      privileged.map((r) => ({ label: r.principal.length > 14 ? `${r.principal.slice(0, 13)}…` : r.principal, value: r.successful_logins })),
      '#6a1b9a',
    ),
  ].join('');
  const header = ['Principal', 'Flags', 'Auth', 'Roles', 'Scopes', 'Created', 'Changed', 'Last login', 'Logins', 'Prefixes', 'Failed', 'Admin actions', 'Alerts', 'Granted', 'Revoked', 'Reviewer', 'Decision', 'Justification'];
  const body = review.rows
    .map((r) =>
      [
        `<tr${r.privileged ? ' class="priv"' : ''}>`,
        `<td>${escapeHtml(r.principal)}${r.auth_database ? `<br><small>${escapeHtml(r.auth_database)}</small>` : ''}</td>`,
        `<td>${flags(r)}</td>`,
        `<td>${escapeHtml(r.auth_method)}</td>`,
        `<td>${list(r.roles)}</td>`,
        `<td>${list(r.scopes)}</td>`,
        `<td>${escapeHtml(r.created_at.slice(0, 10))}</td>`,
        `<td>${escapeHtml(r.changed_at.slice(0, 10))}</td>`,
        `<td>${escapeHtml(r.last_successful_login.slice(0, 16).replace('T', ' '))}</td>`,
        `<td>${r.successful_logins}</td>`,
        `<td>${list(r.source_prefixes)}</td>`,
        `<td>${r.failed_logins}</td>`,
        `<td>${r.admin_actions}</td>`,
        `<td>${r.alerts}${r.alert_rules.length ? `<br><small>${list(r.alert_rules)}</small>` : ''}</td>`,
        `<td>${list(r.roles_granted)}</td>`,
        `<td>${list(r.roles_revoked)}</td>`,
        '<td></td><td></td><td></td>',
        '</tr>',
      ].join(''),
    )
    .join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>Access review ${escapeHtml(review.project)} ${escapeHtml(review.from.slice(0, 10))} – ${escapeHtml(review.to.slice(0, 10))}</title>`,
    `<style>${style}</style></head><body>`,
    `<h1>Access review: project ${escapeHtml(review.project)}</h1>`,
    `<div class="meta">Window ${escapeHtml(review.from)} – ${escapeHtml(review.to)} (${escapeHtml(review.time_zone)}) · generated ${escapeHtml(review.generated_at)} · review ${escapeHtml(review.id)}${review.previous_review_id ? ` · compared with ${escapeHtml(review.previous_review_id)}` : ' · first review'} · dormant after ${review.dormant_days} days</div>`,
    `<div class="cards">${cards}</div>`,
    `<div class="charts">${charts}</div>`,
    `<table><thead><tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>`,
    body,
    '</tbody></table></body></html>',
    '',
  ].join('\n');
}
