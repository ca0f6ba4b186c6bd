import type { Review, ReviewRow } from './review-model.ts';

/** The CSV columns, in order; list values are joined with `; `. */
export const CSV_COLUMNS: ReadonlyArray<keyof ReviewRow> = [
  'principal',
  'auth_database',
  'principal_type',
  'status',
  'auth_method',
  'roles',
  'scopes',
  'privileged',
  'privileged_roles',
  'created_at',
  'changed_at',
  'last_successful_login',
  'successful_logins',
  'source_ips',
  'source_prefixes',
  'failed_logins',
  'admin_actions',
  'admin_action_types',
  'alerts',
  'alert_rules',
  'dormant',
  'days_since_last_login',
  'change',
  'changed',
  'roles_granted',
  'roles_revoked',
  'reviewer',
  'decision',
  'justification',
  'decided_at',
];

/**
 * Neutralises spreadsheet formula injection (OWASP CSV injection): a cell starting with
 * `=`, `+`, `-`, `@`, tab or CR gets a leading `'` so spreadsheets show it as text.
 */
export function neutraliseFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** Quotes a field per RFC 4180 when it holds a comma, quote, CR or LF (quotes doubled). */
export function quoteCsvField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

function cellOf(value: ReviewRow[keyof ReviewRow]): string {
  if (value === null) return '';
  if (Array.isArray(value)) return value.join('; ');
  return String(value);
}

/** Renders the review rows as RFC 4180 CSV (header row, CRLF line ends, trailing CRLF), formula-safe. */
export function renderCsv(review: Review): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of review.rows) lines.push(CSV_COLUMNS.map((c) => quoteCsvField(neutraliseFormula(cellOf(row[c])))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Parses RFC 4180 CSV into rows of fields (used to check exports). Returns undefined on an unterminated quote. */
export function parseCsv(text: string): string[][] | undefined {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i += 1;
      } else {
        field += c;
        i += 1;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      i += 1;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i += 1;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      field += c;
      i += 1;
    }
  }
  if (quoted) return undefined;
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
