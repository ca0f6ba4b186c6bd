/**
 * Input that keeps flowing while a fault test runs: `sends` are run one after another with
 * `pauseMs` between them. `sent()` counts the steps done, `finished()` says whether all are,
 * `done` settles when the last step has run (and rejects with the first failed step).
 */
export type Feed = { sent(): number; total: number; finished(): boolean; done: Promise<void> };

/** Runs `sends` in order, `pauseMs` apart, in the background; a failed step ends the feed with its error. */
export function startFeed(sends: ReadonlyArray<() => Promise<void>>, pauseMs: number): Feed {
  let sent = 0;
  let finished = false;
  const done = (async () => {
    try {
      for (const send of sends) {
        await send();
        sent += 1;
        if (sent < sends.length) await new Promise((r) => setTimeout(r, pauseMs));
      }
    } finally {
      finished = true;
    }
  })();
  done.catch(() => undefined);
  return { sent: () => sent, total: sends.length, finished: () => finished, done };
}
