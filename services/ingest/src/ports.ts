import type { OutgoingMessage } from '@atlas-audit/shared/kafka';
import type { Logger } from '@atlas-audit/shared/logger';
import type { AtlasApi } from './atlas/api.ts';
import type { Checkpoint } from './core/checkpoint.ts';
import type { CoverageRecord } from './core/coverage.ts';

/**
 * What the ingest loop depends on, as arguments: the Atlas API, the transactional Kafka sink,
 * the checkpoint store, a clock, metrics and a logger. main.ts wires the real ones; unit tests
 * pass in-memory ones.
 */

/** The three topics one commit writes to, atomically. */
export type CommitMessages = { events: OutgoingMessage[]; dlq: OutgoingMessage[]; checkpoints: OutgoingMessage[] };

export type TxSink = {
  /**
   * Produces every message in one Kafka transaction and resolves once it is committed (acks=all):
   * either all of them become visible to read_committed consumers, or none do. Throws on failure.
   */
  commit(messages: CommitMessages): Promise<void>;
};

export type CheckpointStore = {
  /** The committed checkpoints, by key (the Kafka checkpoint log is the source of truth). */
  restore(): Promise<Map<string, Checkpoint>>;
  /** Copies committed checkpoints to MongoDB (queryable state, posture snapshots). Best effort. */
  mirror(checkpoints: readonly Checkpoint[]): Promise<void>;
};

export type IngestObserver = {
  /** A window's coverage (fetched, empty, truncated or failed) after it was committed. */
  coverage(record: CoverageRecord, cursorMs: number | undefined): void;
  /** A transaction committed with these counts. */
  committed(counts: { events: number; dlq: number; windows: number; elapsedMs: number }): void;
  /** Streams now known, by kind. */
  streams(counts: Record<string, number>): void;
};

/** The worker's clock; `speed` > 1 when it runs faster than the wall clock (replays, tests). */
export type Clock = { nowMs(): number; speed?: number };

export type IngestDeps = {
  atlas: AtlasApi;
  sink: TxSink;
  checkpoints: CheckpointStore;
  clock: Clock;
  observer: IngestObserver;
  log: Logger;
  random?: () => number;
};
