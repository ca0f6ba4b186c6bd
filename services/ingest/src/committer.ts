import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { OutgoingMessage } from '@atlas-audit/shared/kafka';
import { withDeadline } from '@atlas-audit/shared/retry';
import type { Checkpoint } from './core/checkpoint.ts';
import type { DlqDraft } from './core/dlq-draft.ts';
import { partitionKey } from './core/partition-key.ts';
import type { CheckpointStore, Clock, TxSink } from './ports.ts';

/**
 * Group commit: windows finished by any stream wait here and go to Kafka together in one
 * transaction (events, dead letters, coverage events and the new checkpoints), so a window's
 * checkpoint is committed exactly when its events are. After the commit the checkpoints are
 * mirrored to MongoDB. A submit resolves only once its transaction committed.
 */
export type CommitItem = {
  events: AtlasEvent[];
  dlq: DlqDraft[];
  checkpoint?: Checkpoint | undefined;
  /**
   * The commit epoch the item's base checkpoint belongs to. A failed commit starts a new epoch
   * and every item of an older one is refused: it may build on a window that never committed.
   */
  epoch?: number | undefined;
};

type Pending = { item: CommitItem; resolve: () => void; reject: (err: unknown) => void };

export type Committer = {
  submit(item: CommitItem): Promise<void>;
  /** The current epoch (see CommitItem.epoch). */
  epoch(): number;
  /** Commits what is queued, then stops taking work. */
  close(): Promise<void>;
};

/** Serialises a checkpoint record for the compacted checkpoint topic. */
export function checkpointMessage(checkpoint: Checkpoint): OutgoingMessage {
  return { key: checkpoint.key, value: JSON.stringify(checkpoint) };
}

/** Creates the committer; `onCommitted` observes each committed transaction. */
export function createCommitter(
  sink: TxSink,
  store: CheckpointStore,
  clock: Clock,
  options: {
    maxEventsPerCommit: number;
    onCommitted: (counts: { events: number; dlq: number; windows: number; elapsedMs: number }) => void;
    onMirrorError: (err: unknown) => void;
    /** How long one mirror write may take before it counts as failed (the next commit must not wait on it). */
    mirrorDeadlineMs?: number;
  },
): Committer {
  const mirrorDeadlineMs = options.mirrorDeadlineMs ?? 30_000;
  const queue: Pending[] = [];
  let wake: (() => void) | undefined;
  let closing = false;
  let epoch = 0;
  const stale = (p: Pending): boolean => p.item.epoch !== undefined && p.item.epoch !== epoch;

  async function loop(): Promise<void> {
    for (;;) {
      if (queue.length === 0) {
        if (closing) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      const taken: Pending[] = [];
      let count = 0;
      while (queue.length > 0) {
        const next = queue[0] as Pending;
        if (stale(next)) {
          queue.shift();
          next.reject(new Error('commit refused: an earlier commit of this epoch failed'));
          continue;
        }
        const size = next.item.events.length + next.item.dlq.length;
        if (taken.length > 0 && count + size > options.maxEventsPerCommit) break;
        taken.push(next);
        queue.shift();
        count += size;
      }
      if (taken.length === 0) continue;
      const started = clock.nowMs();
      const nowIso = new Date(started).toISOString();
      const messages = { events: [] as OutgoingMessage[], dlq: [] as OutgoingMessage[], checkpoints: [] as OutgoingMessage[] };
      const checkpoints: Checkpoint[] = [];
      for (const { item } of taken) {
        for (const event of item.events) messages.events.push({ key: partitionKey(event), value: JSON.stringify(event) });
        for (const draft of item.dlq) messages.dlq.push({ key: draft.origin.project ?? draft.origin.org ?? null, value: JSON.stringify({ ...draft, timestamp: nowIso }) });
        if (item.checkpoint !== undefined) {
          messages.checkpoints.push(checkpointMessage(item.checkpoint));
          checkpoints.push(item.checkpoint);
        }
      }
      try {
        await sink.commit(messages);
      } catch (err) {
        epoch += 1;
        for (const p of taken) p.reject(err);
        continue;
      }
      options.onCommitted({ events: messages.events.length, dlq: messages.dlq.length, windows: checkpoints.length, elapsedMs: clock.nowMs() - started });
      for (const p of taken) p.resolve();
      // Best effort, and bounded: a MongoDB call that hangs must not hold every later commit back.
      if (checkpoints.length > 0) await withDeadline(store.mirror(checkpoints), mirrorDeadlineMs, () => new Error(`checkpoint mirror did not finish within ${mirrorDeadlineMs} ms`)).catch(options.onMirrorError);
    }
  }

  const loopDone = loop();
  return {
    epoch: () => epoch,
    submit(item) {
      if (closing) return Promise.reject(new Error('committer closed'));
      return new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        wake?.();
      });
    },
    async close() {
      closing = true;
      wake?.();
      await loopDone;
    },
  };
}
