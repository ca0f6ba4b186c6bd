import { waitFor } from '@atlas-audit/test/env';
import type { ServiceProcess } from './service-process.ts';

/** Longest a service may take from SIGTERM to its exit (docs/faults.md, STYLE.md "SIGTERM"). */
export const DRAIN_LIMIT_MS = 30_000;

/**
 * SIGTERM under load: waits a random 0…`jitterMs`, then until `underLoad` describes the work in
 * progress, sends SIGTERM and measures until the process exits (SIGKILL after 40 s, reported as
 * code null). Resolves with the exit code, the drain time and what was in progress. Does not
 * restart the service.
 */
export async function sigtermUnderLoad(service: ServiceProcess, underLoad: () => Promise<string | undefined>, opts: { jitterMs: number; timeoutMs: number }): Promise<{ code: number | null; drainMs: number; load: string }> {
  await new Promise((r) => setTimeout(r, Math.floor(Math.random() * opts.jitterMs)));
  const load = await waitFor(underLoad, opts.timeoutMs, `${service.name} to be under load`, 20);
  const startedMs = Date.now();
  const code = await service.stop('SIGTERM', 40_000);
  return { code, drainMs: Date.now() - startedMs, load };
}
