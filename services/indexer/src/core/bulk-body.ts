import { consecutiveRuns } from '@atlas-audit/shared/runs';
import type { IndexAction } from './index-action.ts';

/** Renders actions as an NDJSON `_bulk` body of `create` operations (so a replayed `_id` is a 409, never an overwrite). */
export function renderBulkBody(actions: readonly IndexAction[]): string {
  let body = '';
  for (const action of actions) {
    body += `{"create":{"_index":${JSON.stringify(action.index)},"_id":${JSON.stringify(action.id)}}}\n${action.source}\n`;
  }
  return body;
}

/** Bytes an action adds to a bulk body, header line included. */
export function bulkBytesOf(action: IndexAction): number {
  return action.bytes + action.index.length + action.id.length + 40;
}

/**
 * Splits actions into consecutive chunks of at most `maxDocs` documents and about `maxBytes`
 * bytes each (a single larger document gets a chunk of its own). Order is kept.
 */
export function chunkActions<T extends IndexAction>(actions: readonly T[], maxDocs: number, maxBytes: number): T[][] {
  return consecutiveRuns(actions, bulkBytesOf, maxBytes, maxDocs);
}
