/** Inputs smaller than this get no progress bar. */
export const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

/** One progress bar line (carriage-return prefixed, no newline) for `done` of `total` bytes. */
export function renderProgress(done: number, total: number, events: number, width = 30): string {
  const fraction = total <= 0 ? 1 : Math.min(1, Math.max(0, done / total));
  const filled = Math.round(fraction * width);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${events} events`;
}
