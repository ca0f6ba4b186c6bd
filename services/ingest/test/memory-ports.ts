import { pino } from 'pino';
import type { CommitMessages, IngestDeps, IngestObserver } from '../src/ports.ts';
import type { Checkpoint } from '../src/core/checkpoint.ts';
import type { CoverageRecord } from '../src/core/coverage.ts';

/** An in-memory stand-in for the Kafka log: committed messages per topic, in commit order. */
export type MemoryLog = { events: Array<{ key: string | null; value: string }>; dlq: Array<{ key: string | null; value: string }>; checkpoints: Array<{ key: string | null; value: string }>; commits: number };

export function createMemoryLog(): MemoryLog {
  return { events: [], dlq: [], checkpoints: [], commits: 0 };
}

/**
 * A transactional sink over the log. `faults` decides per commit: 'ok'; 'lost' (throws, nothing
 * appended); 'ambiguous' (appended, then throws, like a lost EndTxn response). `kill()` makes
 * every later commit fail, as a SIGKILL would.
 */
export function memorySink(log: MemoryLog, faults: () => 'ok' | 'lost' | 'ambiguous' = () => 'ok') {
  let dead = false;
  return {
    kill: () => {
      dead = true;
    },
    async commit(messages: CommitMessages): Promise<void> {
      // A commit takes a little while, as a real one does: windows finish fetching meanwhile.
      await new Promise((r) => setTimeout(r, 4));
      if (dead) throw new Error('process killed');
      const fault = faults();
      if (fault === 'lost') throw new Error('transaction aborted');
      const str = (m: { key: string | null; value: Buffer | string }) => ({ key: m.key, value: String(m.value) });
      log.events.push(...messages.events.map(str));
      log.dlq.push(...messages.dlq.map(str));
      log.checkpoints.push(...messages.checkpoints.map(str));
      log.commits += 1;
      if (fault === 'ambiguous') throw new Error('commit outcome unknown');
    },
  };
}

/** The latest checkpoint per key in the log, as the Kafka checkpoint log restore does. */
export function restoreFrom(log: MemoryLog): Map<string, Checkpoint> {
  const out = new Map<string, Checkpoint>();
  for (const m of log.checkpoints) out.set(m.key ?? '', JSON.parse(m.value) as Checkpoint);
  return out;
}

export function recordingObserver(): IngestObserver & { coverage: IngestObserver['coverage']; records: CoverageRecord[] } {
  const records: CoverageRecord[] = [];
  return {
    records,
    coverage: (record) => {
      records.push(record);
    },
    committed: () => undefined,
    streams: () => undefined,
  };
}

export const silentLog = pino({ level: 'silent' });

export type { IngestDeps };
