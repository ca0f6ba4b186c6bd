/** The part of a `_bulk` response item the indexer reads. */
export type BulkItemResult = { status: number; error?: { type?: string; reason?: string | null } | undefined };

/** What to do with one item after a bulk request. */
export type ItemOutcome =
  | { kind: 'indexed' }
  | { kind: 'duplicate' }
  | { kind: 'retry'; reason: string }
  | { kind: 'reject'; reason: string };

function describe(item: BulkItemResult): string {
  const type = item.error?.type ?? 'error';
  const reason = item.error?.reason ?? '';
  return `${item.status} ${type}${reason ? `: ${reason}` : ''}`.slice(0, 2000);
}

/**
 * Classifies one bulk item: 2xx indexed; 409 (the `_id` exists: a replay) counts as success;
 * 429, 5xx and a missing index (auto-create switched off: a deployment fault, not bad data)
 * are retried; any other 4xx (mapping and parsing errors) rejects the document with its reason.
 */
export function settleItem(item: BulkItemResult): ItemOutcome {
  if (item.status >= 200 && item.status < 300) return { kind: 'indexed' };
  if (item.status === 409) return { kind: 'duplicate' };
  if (item.status === 429 || item.status >= 500 || item.error?.type === 'index_not_found_exception') return { kind: 'retry', reason: describe(item) };
  return { kind: 'reject', reason: describe(item) };
}
