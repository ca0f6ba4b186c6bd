import { waitFor } from '@atlas-audit/test/env';
import type { ServiceProcess } from './service-process.ts';

/**
 * SIGKILL at a random moment while the service is provably working: waits a random
 * 0…`jitterMs`, then polls `midBatch` (every 20 ms) until it describes the work in progress
 * (returns a string, e.g. "312 of 900 delivered, queue 25"), kills the process with SIGKILL at
 * once, waits for the exit and starts a new incarnation. Resolves with the description seen at
 * the kill; rejects when the service is never caught mid-batch within `timeoutMs`.
 */
export async function killMidBatch(service: ServiceProcess, midBatch: () => Promise<string | undefined>, opts: { jitterMs: number; timeoutMs: number }): Promise<string> {
  await new Promise((r) => setTimeout(r, Math.floor(Math.random() * opts.jitterMs)));
  const seen = await waitFor(midBatch, opts.timeoutMs, `${service.name} to be mid-batch`, 20);
  const code = await service.stop('SIGKILL');
  if (service.child().signalCode !== 'SIGKILL') throw new Error(`${service.name} exited by itself (${code}) instead of being killed`);
  service.restart();
  return seen;
}
