import type { Logger } from 'pino';

/**
 * Installs SIGTERM/SIGINT handlers that run `drain` once (stop reading, flush, commit, close)
 * and exit 0, or exit 1 if it fails or takes longer than `deadlineMs`.
 */
export function onShutdown(log: Logger, drain: () => Promise<void>, deadlineMs = 25_000): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, deadlineMs }, 'shutdown requested');
    const timer = setTimeout(() => {
      log.error({ deadlineMs }, 'shutdown deadline exceeded');
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    drain().then(
      () => {
        log.info({}, 'shutdown complete');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
