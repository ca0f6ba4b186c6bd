import type { Logger } from '@atlas-audit/shared/logger';
import { withRetry } from '@atlas-audit/shared/retry';
import { nextRun, type CronSchedule } from './core/cron.ts';
import { scheduledWindow, type ReviewWindow } from './core/window.ts';

export type SchedulerOptions = {
  schedule: CronSchedule;
  timeZone: string;
  windowDays: number;
  projects: readonly string[];
  run: (project: string, window: ReviewWindow) => Promise<void>;
  log: Logger;
  nowMs?: () => number;
  /** Retry of a failing project within one firing (default 5 attempts, 5 s base, 2 min cap). */
  retry?: { attempts: number; baseDelayMs: number; maxDelayMs: number };
};

/** Longest single timer; Node timers overflow past 2^31 ms, and a shorter wait also survives clock changes. */
const MAX_WAIT_MS = 3_600_000;

/**
 * Runs the review of every project each time the cron schedule fires in its time zone, for the
 * `windowDays` before the firing time. A failing project is retried with backoff (by default 5 attempts),
 * then logged and skipped until the next firing; it never stops the schedule.
 */
export function startScheduler(options: SchedulerOptions): { stop(): Promise<void>; nextAt(): number | undefined } {
  const now = options.nowMs ?? Date.now;
  const retry = options.retry ?? { attempts: 5, baseDelayMs: 5_000, maxDelayMs: 120_000 };
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let next = nextRun(options.schedule, now(), options.timeZone);

  async function fire(firedAtMs: number): Promise<void> {
    const window = scheduledWindow(firedAtMs, options.windowDays);
    for (const project of options.projects) {
      if (stopped) return;
      try {
        await withRetry(() => options.run(project, window), { ...retry, shouldRetry: () => !stopped, onRetry: (err, attempt, delayMs) => options.log.warn({ project, attempt, delayMs, err }, 'scheduled review failed, retrying') });
      } catch (err) {
        options.log.error({ project, err, ...window }, 'scheduled review failed');
      }
    }
  }

  function arm(): void {
    if (stopped || next === undefined) {
      if (next === undefined) options.log.warn({}, 'review schedule never fires again');
      return;
    }
    const waitMs = Math.min(MAX_WAIT_MS, Math.max(0, next - now()));
    timer = setTimeout(() => {
      const due = next;
      if (due !== undefined && now() >= due) {
        next = nextRun(options.schedule, due, options.timeZone);
        running = running.then(() => fire(due));
      }
      arm();
    }, waitMs);
  }

  options.log.info({ nextAt: next === undefined ? null : new Date(next).toISOString(), projects: options.projects.length }, 'review schedule armed');
  arm();
  return {
    nextAt: () => next,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
