import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@atlas-audit/test/env';
import { reportFault } from './report.ts';
import { metricSum, startService } from './service-process.ts';
import { DRAIN_LIMIT_MS, sigtermUnderLoad } from './drain.ts';
import { startIngestRig } from './ingest-rig.ts';
import { startDetectRig } from './detect-alerts-rig.ts';
import { startIndexerRig } from './indexer-rig.ts';
import { startSiemRig } from './siem-rig.ts';

// Fault matrix: each service gets SIGTERM while input is flowing and it is provably working. It
// must exit 0 within 30 s; it is then restarted and its sink checked by id. The drain time is in
// the notes; recovery is from the restart until the sink held everything.

function assertDrained(service: string, r: { code: number | null; drainMs: number }): void {
  assert.equal(r.code, 0, `${service} exits 0 after SIGTERM (null = still running after 40 s, killed)`);
  assert.ok(r.drainMs < DRAIN_LIMIT_MS, `${service} drained in ${r.drainMs} ms (limit ${DRAIN_LIMIT_MS} ms)`);
}

test('ingest SIGTERM under load: exits 0 within 30 s, then Kafka holds every served event once', { timeout: 300_000 }, async () => {
  const rig = await startIngestRig({ name: 'term-ingest', hours: 3, liveMinutes: 10, speed: 20 });
  const ingest = startService('ingest', rig.env, 'fault-sigterm-ingest');
  try {
    await ingest.waitForLog('checkpoints restored', 90_000);
    const url = await ingest.url();
    const drained = await sigtermUnderLoad(
      ingest,
      async () => {
        const committed = await metricSum(url, 'atlas_ingest_events_committed_total');
        return committed > 0 && rig.events.length < rig.expected.events.size ? `committed ${committed}, topic ${rig.events.length} of ${rig.expected.events.size}` : undefined;
      },
      { jitterMs: 3_000, timeoutMs: 90_000 },
    );
    const atStop = rig.measure();
    assertDrained('ingest', drained);
    assert.ok(atStop.lost > 0, 'stopped before the end of the input');
    ingest.restart();
    const restartedMs = Date.now();
    const completeMs = await rig.waitComplete(180_000);
    const m = rig.measure();
    assert.equal(m.unexpected, 0, 'no event that was never served');
    reportFault({
      fault: 'ingest SIGTERM under load',
      target: 'ingest',
      expected: rig.expected.events.size,
      lost: m.lost,
      duplicated: m.duplicated,
      dlq: rig.dlq.length,
      recoveryMs: completeMs - restartedMs,
      notes: `drain ${drained.drainMs} ms, exit ${drained.code}; SIGTERM at ${drained.load} (${atStop.lost} missing); ${rig.expected.invalidLines} invalid lines served, ${rig.dlq.length} DLQ records`,
    });
  } finally {
    await ingest.stop('SIGTERM');
    await rig.close();
  }
});

test('detect SIGTERM under load: exits 0 within 30 s, then the alerts topic holds every expected alert once', { timeout: 300_000 }, async () => {
  const rig = await startDetectRig('term-detect');
  const detect = startService('detect', rig.env, 'fault-sigterm-detect');
  try {
    await detect.waitForLog('detect started', 90_000);
    const url = await detect.url();
    const feed = rig.feed(Math.ceil(rig.events / 100), 300);
    const drained = await sigtermUnderLoad(
      detect,
      async () => {
        const evaluated = await metricSum(url, 'atlas_detect_events_total');
        return evaluated > 0 && !feed.finished() ? `${evaluated} events evaluated, feed ${feed.sent()}/${feed.total}` : undefined;
      },
      { jitterMs: 5_000, timeoutMs: 90_000 },
    );
    assertDrained('detect', drained);
    detect.restart();
    await detect.waitForLog('detect started', 90_000);
    await feed.done;
    // Recovery counts from here: the service has restarted and the last input has been sent.
    const fromMs = Date.now();
    await waitFor(async () => (rig.measure().lost === 0 ? true : undefined), 120_000, `${rig.expected.size} expected alerts`, 500).catch(async (err: unknown) => {
      const lag = await rig.lag().catch(() => -1);
      throw new Error(`${String(err)}; ${JSON.stringify(rig.measure())}; group lag ${lag}; missing ${JSON.stringify(rig.missing().slice(0, 20))}`);
    });
    const completeMs = Date.now();
    const m = rig.measure();
    reportFault({
      fault: 'detect SIGTERM under load',
      target: 'detect',
      expected: m.expected,
      lost: m.lost,
      duplicated: m.produced - m.distinct,
      duplicateAlerts: m.duplicateAlerts,
      dlq: rig.dlq.length,
      recoveryMs: completeMs - fromMs,
      notes: `drain ${drained.drainMs} ms, exit ${drained.code}; SIGTERM at ${drained.load}; ${rig.events} events, ${m.produced} alert records, ${m.distinct} distinct`,
    });
  } finally {
    await detect.stop('SIGTERM');
    await rig.close();
  }
});

test('indexer SIGTERM under load: exits 0 within 30 s, then every event and alert is indexed once', { timeout: 300_000 }, async () => {
  const rig = await startIndexerRig('term-indexer');
  const indexer = startService('indexer', { ...rig.env, INDEXER_MAX_DOCS: '500' }, 'fault-sigterm-indexer');
  try {
    await indexer.waitForLog('indexer started', 90_000);
    const url = await indexer.url();
    const expected = rig.expectedEvents.size + rig.expectedAlerts.size;
    const feed = rig.feed(Math.ceil(rig.expectedEvents.size / 100), 300);
    const drained = await sigtermUnderLoad(
      indexer,
      async () => {
        const pending = await metricSum(url, 'atlas_indexer_pending_documents');
        const settled = await metricSum(url, 'atlas_indexer_documents_total');
        return pending > 0 && settled > 0 && !feed.finished() ? `pending ${pending} after ${settled} settled, feed ${feed.sent()}/${feed.total}` : undefined;
      },
      { jitterMs: 5_000, timeoutMs: 90_000 },
    );
    assertDrained('indexer', drained);
    indexer.restart();
    await indexer.waitForLog('indexer started', 90_000);
    await feed.done;
    // Recovery counts from here: the service has restarted and the last input has been sent.
    const fromMs = Date.now();
    await waitFor(async () => ((await rig.count()) >= expected ? true : undefined), 120_000, `${expected} documents indexed`, 500);
    const completeMs = Date.now();
    const m = await rig.measure();
    assert.equal(m.unexpected, 0, 'nothing but the produced ids');
    reportFault({
      fault: 'indexer SIGTERM under load',
      target: 'indexer',
      expected,
      lost: m.lost,
      duplicated: m.duplicated,
      dlq: rig.dlq.length,
      recoveryMs: completeMs - fromMs,
      notes: `drain ${drained.drainMs} ms, exit ${drained.code}; SIGTERM at ${drained.load}; ${m.documents} documents, ${m.distinct} distinct ids`,
    });
  } finally {
    await indexer.stop('SIGTERM');
    await rig.close();
  }
});

test('siem SIGTERM under load: exits 0 within 30 s, then the webhook has every alert, none twice', { timeout: 300_000 }, async () => {
  const rig = await startSiemRig('term-siem', 2_000, { batchMax: 25, responseDelayMs: 20 });
  const siem = startService('siem', rig.env, 'fault-sigterm-siem');
  try {
    await siem.waitForLog('siem forwarding', 90_000);
    const url = await siem.url();
    const feed = rig.feed(50, 400);
    const drained = await sigtermUnderLoad(
      siem,
      async () => {
        const queued = await metricSum(url, 'atlas_siem_queue_depth');
        const delivered = await metricSum(url, 'atlas_siem_delivered_total');
        return queued > 0 && delivered > 0 && !feed.finished() ? `queue ${queued} after ${delivered} delivered, feed ${feed.sent()}/${feed.total}` : undefined;
      },
      { jitterMs: 5_000, timeoutMs: 90_000 },
    );
    assertDrained('siem', drained);
    siem.restart();
    await feed.done;
    // Recovery counts from here: the service has restarted and the last input has been sent.
    const fromMs = Date.now();
    await waitFor(async () => (rig.measure().lost === 0 ? true : undefined), 120_000, `${rig.expected.size} alerts at the webhook`, 250).catch((err: unknown) => {
      throw new Error(`${String(err)}; ${JSON.stringify(rig.measure())}`);
    });
    const completeMs = Date.now();
    let last = -1;
    await waitFor(async () => {
      const now = rig.delivered().length;
      const stable = now === last;
      last = now;
      return stable ? true : undefined;
    }, 30_000, 'the webhook to settle', 2_000);
    const m = rig.measure();
    assert.equal(m.unexpected, 0, 'only the produced alerts');
    reportFault({
      fault: 'siem SIGTERM under load',
      target: 'siem',
      expected: m.expected,
      lost: m.lost,
      duplicated: 0,
      duplicateAlerts: m.redelivered,
      dlq: rig.dlq.length,
      recoveryMs: completeMs - fromMs,
      notes: `drain ${drained.drainMs} ms, exit ${drained.code}; SIGTERM at ${drained.load}; ${m.deliveries} deliveries of ${m.distinct} distinct alerts`,
    });
  } finally {
    await siem.stop('SIGTERM');
    await rig.close();
  }
});
