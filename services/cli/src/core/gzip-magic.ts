import { constants, gunzipSync } from 'node:zlib';
import type { Result } from '@atlas-audit/shared/result';
import { fail, ok } from '@atlas-audit/shared/result';

/** The decompressed content of one input and a note when it needed salvaging. */
export type Decompressed = { bytes: Buffer; gzip: boolean; note?: string };

/** True when `bytes` starts with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Gunzips gzip input (multi-member streams included) and passes anything else through. A
 * 0-byte body (Atlas' "no data") is empty content. A truncated stream yields what could be
 * recovered plus a note; a stream that yields nothing is a reason. Never throws.
 */
export function decompress(bytes: Buffer): Result<Decompressed> {
  if (!isGzip(bytes)) return ok({ bytes, gzip: false });
  try {
    return ok({ bytes: gunzipSync(bytes), gzip: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    try {
      const partial = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
      return ok({ bytes: partial, gzip: true, note: `gzip stream damaged (${message}); ${partial.length} bytes recovered` });
    } catch {
      return fail(`gzip: ${message}`);
    }
  }
}
