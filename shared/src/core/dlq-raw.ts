/**
 * The raw bytes a dead-letter record carries. A record is dead-lettered because it is bad, and
 * bad input can be large: base64 grows it by a third, so a record near Kafka's 1 MB message
 * limit would give a dead letter over it, which the broker refuses, and the service that
 * rejected the record would be stuck retrying it. The dead letter keeps the first
 * `MAX_DLQ_RAW_BYTES` and says in its reason how much was cut. Pure.
 */

/** Most raw bytes a dead-letter record carries (64 KiB; ~87 KB as base64). */
export const MAX_DLQ_RAW_BYTES = 64 * 1024;

/** Base64 of at most `maxBytes` of `bytes`, and a note for the reason when some were cut (undefined when none were). */
export function boundedRaw(bytes: Uint8Array, maxBytes: number = MAX_DLQ_RAW_BYTES): { raw: string; note: string | undefined } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length <= maxBytes) return { raw: buffer.toString('base64'), note: undefined };
  return { raw: buffer.subarray(0, maxBytes).toString('base64'), note: `raw cut to the first ${maxBytes} of ${buffer.length} bytes` };
}
