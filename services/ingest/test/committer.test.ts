import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { withDeadline } from '@atlas-audit/shared/retry';
import { createCommitter } from '../src/committer.ts';
import { initialCheckpoint } from '../src/core/checkpoint.ts';
import type { CommitMessages } from '../src/ports.ts';

function event(id: string): AtlasEvent {
  return { event: { id }, cloud: { provider: 'mongodb_atlas', project: { id: 'p' } } } as unknown as AtlasEvent;
}

test('after a failed commit, windows built on it are refused, even if they arrive later', async () => {
  const received: CommitMessages[] = [];
  let calls = 0;
  let release: (() => void) | undefined;
  const sink = {
    async commit(messages: CommitMessages) {
      calls += 1;
      if (calls === 1) {
        await new Promise<void>((r) => (release = r));
        throw new Error('transaction aborted');
      }
      received.push(messages);
    },
  };
  const committer = createCommitter(sink, { restore: async () => new Map(), mirror: async () => undefined }, { nowMs: () => 0 }, { maxEventsPerCommit: 100, onCommitted: () => undefined, onMirrorError: () => undefined });
  const epoch = committer.epoch();
  const first = committer.submit({ events: [event('a')], dlq: [], checkpoint: initialCheckpoint('s', 1, 'x'), epoch });
  await new Promise((r) => setImmediate(r));
  // The stream's next window, planned on top of the uncommitted first one, arrives mid-commit.
  const second = committer.submit({ events: [event('b')], dlq: [], checkpoint: initialCheckpoint('s', 2, 'x'), epoch });
  release?.();
  await assert.rejects(first, /aborted/);
  await assert.rejects(second, /refused/);
  assert.equal(committer.epoch(), epoch + 1);
  // Work planned in the new epoch (after the checkpoints were re-read) goes through.
  await committer.submit({ events: [event('c')], dlq: [], checkpoint: initialCheckpoint('s', 3, 'x'), epoch: committer.epoch() });
  await committer.close();
  assert.deepEqual(received.flatMap((m) => m.events.map((e) => (JSON.parse(String(e.value)) as AtlasEvent).event.id)), ['c']);
});

test('a checkpoint mirror that never finishes is reported after its deadline, and later commits go on', async () => {
  const mirrorErrors: string[] = [];
  let commits = 0;
  const sink = {
    async commit() {
      commits += 1;
    },
  };
  // MongoDB hangs on the first mirror write (a lost connection with no socket timeout), then answers.
  let mirrors = 0;
  const store = { restore: async () => new Map(), mirror: () => (mirrors++ === 0 ? new Promise<void>(() => undefined) : Promise.resolve()) };
  const committer = createCommitter(sink, store, { nowMs: () => 0 }, { maxEventsPerCommit: 100, onCommitted: () => undefined, onMirrorError: (err) => mirrorErrors.push(String(err)), mirrorDeadlineMs: 50 });
  await committer.submit({ events: [event('a')], dlq: [], checkpoint: initialCheckpoint('s', 1, 'x'), epoch: committer.epoch() });
  // Without the deadline the committer would wait on the first mirror for ever: fail in 2 s instead.
  const second = committer.submit({ events: [event('b')], dlq: [], checkpoint: initialCheckpoint('s', 2, 'x'), epoch: committer.epoch() });
  await withDeadline(second, 2_000, () => new Error('the second commit waited on the hung mirror'));
  await committer.close();
  assert.equal(commits, 2);
  assert.equal(mirrors, 2);
  assert.equal(mirrorErrors.length, 1);
  assert.match(mirrorErrors[0] ?? '', /did not finish within 50 ms/);
});
