import type { OutgoingMessage } from './kafka.ts';
import { consecutiveRuns } from './runs.ts';

/**
 * Bytes per produce request the producers send at most, uncompressed. The broker refuses a record
 * batch larger than its `message.max.bytes` (1,048,588 bytes by default) with MESSAGE_TOO_LARGE,
 * and one request carries one batch per partition: a send whose messages for one partition add up
 * to more would fail every retry. Kept well under the default, for the per-record overhead.
 */
export const MAX_PRODUCE_BYTES = 900_000;

/** What a message weighs in a produce request, roughly: value, key, headers and record framing. */
export function messageBytes(message: OutgoingMessage): number {
  let size = (typeof message.value === 'string' ? Buffer.byteLength(message.value) : message.value.length) + 64;
  if (message.key !== null) size += Buffer.byteLength(message.key);
  if (message.headers !== undefined) for (const [key, value] of Object.entries(message.headers)) size += Buffer.byteLength(key) + Buffer.byteLength(value) + 8;
  return size;
}

/**
 * Splits `messages`, in order, into consecutive runs of at most `maxBytes` (messageBytes). A
 * message larger than `maxBytes` forms a run of its own, for the broker to accept or refuse.
 * Sent one run after the other, the runs keep every key's order.
 */
export function chunkMessages(messages: readonly OutgoingMessage[], maxBytes = MAX_PRODUCE_BYTES): OutgoingMessage[][] {
  return consecutiveRuns(messages, messageBytes, maxBytes);
}
