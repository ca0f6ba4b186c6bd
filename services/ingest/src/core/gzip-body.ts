import { gunzipSync } from 'node:zlib';
import type { Result } from '@atlas-audit/shared/result';
import { fail, ok } from '@atlas-audit/shared/result';

/** Upper bound on one decompressed log download, so a hostile body cannot exhaust memory. */
export const MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024;

/**
 * Decodes a log download body: a 0-byte body is an empty window (Atlas sends no gzip stream
 * then); otherwise gzip, possibly several concatenated members. A corrupt or truncated stream
 * is a reason, never partial data: the shell dead-letters it and retries the window.
 */
export function gunzipLogBody(body: Uint8Array): Result<Buffer> {
  if (body.byteLength === 0) return ok(Buffer.alloc(0));
  if (body.byteLength < 2 || body[0] !== 0x1f || body[1] !== 0x8b) return fail(`log body is not gzip (${body.byteLength} bytes, starts ${Buffer.from(body.subarray(0, 4)).toString('hex')})`);
  try {
    return ok(gunzipSync(body, { maxOutputLength: MAX_UNCOMPRESSED_BYTES }));
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : 'ERR';
    return fail(`corrupt or truncated gzip: ${code}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** One line of a decoded log with its 1-based line number; blank lines are skipped. */
export type NumberedLine = { line: number; bytes: Buffer };

/** Splits NDJSON bytes into lines (LF, a trailing CR is kept for the normaliser to strip). */
export function splitLines(text: Buffer): NumberedLine[] {
  const out: NumberedLine[] = [];
  let start = 0;
  let line = 0;
  while (start < text.length) {
    let end = text.indexOf(0x0a, start);
    if (end === -1) end = text.length;
    line += 1;
    const bytes = text.subarray(start, end);
    if (!isBlank(bytes)) out.push({ line, bytes });
    start = end + 1;
  }
  return out;
}

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  return true;
}
