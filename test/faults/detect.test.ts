import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@atlas-audit/test/env';
import { generateSampleData } from '@atlas-audit/dashboards/sample-data';
import { reportFault } from './report.ts';
import { metricSum, startService, type ServiceProcess } from './service-process.ts';
import { checkAlerts, createDetectRig, groupLag, idCounts, offlineAlerts, persistedState, referenceRun, lagProbe, savedPastCommit, sendPaced, stateDrift, streamOf, type DetectRig, type Reference } from './detect-rig.ts';

// Detection faults on the real stack: detect (state and baselines in the MongoDB-wire server,
// fenced by offset) killed mid-batch, its consumer group rebalanced mid-stream, and the
// MongoDB-wire server restarted while state is being saved. Each ends with exactly the alert ids
// and the per-partition rule state of a fault-free run, computed offline from the topic.

const stackScript = fileURLToPath(new URL('../../scripts/stack.sh', import.meta.url));
const SLICE = 100;

async function dlqCount(rig: DetectRig): Promise<number> {
  return [...(await idCounts(rig.es, rig.layout.dlqPattern)).values()].reduce((a, b) => a + b, 0);
}

/** Waits until the alerts index holds every expected id and both groups have committed everything; returns when. */
async function settled(rig: DetectRig, reference: Reference): Promise<number> {
  let status = '';
  try {
    await waitFor(async () => {
      const detectLag = await groupLag(rig.detectGroup, rig.topics.events);
      const indexerLag = await groupLag(rig.indexerGroup, rig.topics.alerts);
      const inIndex = await idCounts(rig.es, rig.layout.alertsPattern);
      const missing = [...reference.alerts].filter((id) => !inIndex.has(id)).length;
      const notOnTopic = [...reference.alerts].filter((id) => !rig.alertsOnTopic.has(id)).length;
      status = `detect lag ${detectLag}, indexer lag on alerts ${indexerLag}, ${missing} expected alerts not indexed, ${notOnTopic} not on the topic`;
      return detectLag === 0 && indexerLag === 0 && missing === 0 && notOnTopic === 0 ? true : undefined;
    }, 180_000, 'every expected alert indexed and detect caught up', 500);
  } catch (err) {
    throw new Error(`${(err as Error).message}: ${status}`, { cause: err });
  }
  return Date.now();
}

/** The reference of the stream now on the topic; asserts its alerts do not depend on partition placement. */
async function referenceOf(rig: DetectRig, events: Parameters<typeof offlineAlerts>[0]): Promise<Reference> {
  const reference = await referenceRun(rig, events.length);
  assert.deepEqual([...reference.alerts].sort(), [...offlineAlerts(events)].sort(), 'the per-partition reference raises what the engine raises over the whole stream');
  assert.ok(reference.alerts.size >= 10, `the stream raises alerts (${reference.alerts.size})`);
  assert.ok(reference.state.size >= 20, `the stream builds baselines (${reference.state.size} entries)`);
  return reference;
}

/**
 * Resolves once `svc` (current incarnation) has evaluated at least `count` records while records
 * it has not committed are waiting and the stream is still being sent: it is mid-stream, mid-batch.
 */
async function evaluatingPast(svc: ServiceProcess, rig: DetectRig, count: number, stream: { sent(): number; total: number }): Promise<{ evaluated: number; lag: number }> {
  const url = await svc.url();
  const probe = await lagProbe(rig.detectGroup, rig.topics.events);
  let status = '';
  try {
    const found = await waitFor(async () => {
      const n = await metricSum(url, 'atlas_detect_events_total');
      const lag = await probe.lag();
      status = `${n} evaluated, ${lag} uncommitted, ${stream.sent()}/${stream.total} sent`;
      if (lag === 0 && stream.sent() >= stream.total) return { evaluated: n, lag: -1 };
      return n >= count && lag > 0 ? { evaluated: n, lag } : undefined;
    }, 120_000, `${svc.name} to evaluate ${count} records with a backlog left`, 10);
    if (found.lag < 0) throw new Error(`the stream ended before ${svc.name} evaluated ${count} records with a backlog left`);
    return found;
  } catch (err) {
    const tail = svc.current().slice(-3).map((l) => String(l['msg'])).join(' | ');
    throw new Error(`${(err as Error).message}: ${status}; last log lines: ${tail}`, { cause: err });
  } finally {
    await probe.close();
  }
}

test('detect killed with SIGKILL mid-batch, three times, and restarted: exactly the expected alerts, baselines as without the fault', { timeout: 300_000 }, async () => {
  const rig = await createDetectRig('kill');
  const { events, messages } = streamOf(21);
  const indexer = startService('indexer', rig.indexerEnv, 'faults-detect-kill-indexer');
  const detect = startService('detect', rig.detectEnv, 'faults-detect-kill');
  try {
    await Promise.all([indexer.waitForLog('indexer started'), detect.waitForLog('detect started')]);
    await detect.waitForLog('partitions assigned');
    const paced = sendPaced(rig.producer, rig.topics.events, messages, SLICE, 700);
    const kills: string[] = [];
    let restartedAt = 0;
    for (const round of [0, 1, 2]) {
      // A randomised moment: after 5–20 % of the stream evaluated by this incarnation, with records still waiting.
      const target = Math.floor(events.length * (0.05 + Math.random() * 0.15));
      const at = await evaluatingPast(detect, rig, target, { sent: paced.sent, total: events.length });
      const code = await detect.stop('SIGKILL');
      assert.equal(code, null, 'killed by the signal');
      const ahead = await savedPastCommit(rig);
      kills.push(`kill ${round + 1} after ${at.evaluated} evaluated by that incarnation, ${at.lag} uncommitted, ${paced.sent()}/${events.length} sent, state saved past the commit on [${ahead.join(',')}]`);
      if (round === 2) paced.flush();
      detect.restart();
      await detect.waitForLog('detect started');
      restartedAt = Date.now();
    }
    await paced.done;
    const reference = await referenceOf(rig, events);
    const doneAt = await settled(rig, reference);
    const drift = stateDrift(reference.state, await persistedState(rig));
    const alerts = await checkAlerts(rig, reference.alerts);
    reportFault({
      fault: 'detect SIGKILL mid-batch (×3), restarted',
      target: 'detect',
      expected: alerts.expected,
      lost: alerts.lost,
      duplicated: alerts.duplicated,
      dlq: await dlqCount(rig),
      duplicateAlerts: alerts.duplicateAlerts,
      baselineDrift: drift.drift,
      recoveryMs: doneAt - restartedAt,
      notes: `${events.length} events over ${reference.state.size} state entries; ${kills.join('; ')}; ${alerts.notes}${drift.drift > 0 ? `; drift e.g. ${drift.sample.join(' / ')}` : ''}`,
    });
  } finally {
    await Promise.all([detect.stop('SIGTERM'), indexer.stop('SIGTERM')]);
    await rig.close();
  }
});

/** The partitions of the latest assignment `svc` (current incarnation) logged. */
function assigned(svc: ServiceProcess): number[] | undefined {
  const line = svc.current().filter((l) => l['msg'] === 'partitions assigned').pop();
  return line === undefined ? undefined : (line['partitions'] as number[]);
}

test('a detect consumer-group rebalance mid-stream (a replica joins, later leaves with SIGTERM): exactly the expected alerts, baselines as without the fault', { timeout: 300_000 }, async () => {
  const rig = await createDetectRig('rebal');
  const { events, messages } = streamOf(22);
  const indexer = startService('indexer', rig.indexerEnv, 'faults-detect-rebalance-indexer');
  const a = startService('detect', { ...rig.detectEnv, KAFKA_CLIENT_ID: 'detect-a' }, 'faults-detect-rebalance-a');
  let b: ServiceProcess | undefined;
  try {
    await Promise.all([indexer.waitForLog('indexer started'), a.waitForLog('detect started')]);
    await waitFor(async () => (assigned(a)?.length === 4 ? true : undefined), 60_000, 'replica a to own every partition');
    const paced = sendPaced(rig.producer, rig.topics.events, messages, SLICE, 600);
    const steps: string[] = [];
    await evaluatingPast(a, rig, Math.floor(events.length * (0.1 + Math.random() * 0.15)), { sent: paced.sent, total: events.length });
    steps.push(`b joined at ${paced.sent()}/${events.length} sent`);
    b = startService('detect', { ...rig.detectEnv, KAFKA_CLIENT_ID: 'detect-b' }, 'faults-detect-rebalance-b');
    const joined = b;
    await waitFor(async () => ((assigned(joined)?.length ?? 0) > 0 && (assigned(a)?.length ?? 4) < 4 ? true : undefined), 90_000, 'the partitions to be shared by a and b');
    steps.push(`a owned [${assigned(a)?.join(',')}], b [${assigned(joined)?.join(',')}]`);
    // b takes part: it evaluates records of its partitions while the stream still flows.
    const bEvaluated = await evaluatingPast(joined, rig, 100 + Math.floor(Math.random() * 300), { sent: paced.sent, total: events.length });
    steps.push(`b left after evaluating ${bEvaluated.evaluated} at ${paced.sent()}/${events.length} sent`);
    assert.ok(paced.sent() < events.length, 'b leaves while events still flow');
    assert.equal(await joined.stop('SIGTERM'), 0, 'b drains and exits 0 on SIGTERM');
    const leftAt = Date.now();
    await waitFor(async () => (assigned(a)?.length === 4 ? true : undefined), 90_000, 'replica a to own every partition again');
    paced.flush();
    await paced.done;
    const reference = await referenceOf(rig, events);
    const doneAt = await settled(rig, reference);
    const drift = stateDrift(reference.state, await persistedState(rig));
    const alerts = await checkAlerts(rig, reference.alerts);
    const moves = a.current().filter((l) => l['msg'] === 'partitions assigned').map((l) => `[${(l['partitions'] as number[]).join(',')}]`);
    reportFault({
      fault: 'detect group rebalance mid-stream (replica joins, then leaves)',
      target: 'detect',
      expected: alerts.expected,
      lost: alerts.lost,
      duplicated: alerts.duplicated,
      dlq: await dlqCount(rig),
      duplicateAlerts: alerts.duplicateAlerts,
      baselineDrift: drift.drift,
      recoveryMs: doneAt - leftAt,
      notes: `${events.length} events, ${reference.state.size} state entries; ${steps.join('; ')}; a's assignments ${moves.join(' → ')}; ${alerts.notes}${drift.drift > 0 ? `; drift e.g. ${drift.sample.join(' / ')}` : ''}`,
    });
  } finally {
    await Promise.all([a.stop('SIGTERM'), b?.stop('SIGTERM'), indexer.stop('SIGTERM')]);
    await rig.close();
  }
});

/** Runs `scripts/stack.sh restart ferretdb [--kill]` (ready when it returns); resolves with its duration. */
function restartFerretdb(kill: boolean): Promise<{ startedAt: number; readyAt: number }> {
  const startedAt = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [stackScript, 'restart', 'ferretdb', ...(kill ? ['--kill'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ startedAt, readyAt: Date.now() });
      else reject(new Error(`stack.sh restart ferretdb exited ${code}: ${out.slice(-500)}`));
    });
  });
}

test('the MongoDB-wire server restarted (TERM, then KILL) while detect saves state: detect carries on, exactly the expected alerts, baselines as without the fault', { timeout: 300_000 }, async () => {
  const rig = await createDetectRig('fdb');
  const { events, messages } = streamOf(23);
  const indexer = startService('indexer', rig.indexerEnv, 'faults-detect-ferretdb-indexer');
  const detect = startService('detect', rig.detectEnv, 'faults-detect-ferretdb');
  try {
    await Promise.all([indexer.waitForLog('indexer started'), detect.waitForLog('detect started')]);
    await detect.waitForLog('partitions assigned');
    const paced = sendPaced(rig.producer, rig.topics.events, messages, SLICE, 600);
    const steps: string[] = [];
    let readyAt = 0;
    for (const kill of [false, true]) {
      const at = await evaluatingPast(detect, rig, Math.floor(events.length * (kill ? 0.45 : 0.1) + Math.random() * events.length * 0.15), { sent: paced.sent, total: events.length });
      const url = await detect.url();
      const persisted = await metricSum(url, 'atlas_detect_state_entries_persisted_total');
      await waitFor(async () => ((await metricSum(url, 'atlas_detect_state_entries_persisted_total')) > persisted ? true : undefined), 60_000, 'detect to be saving state');
      const restart = await restartFerretdb(kill);
      readyAt = restart.readyAt;
      steps.push(`${kill ? 'KILL' : 'TERM'} after ${at.evaluated} evaluated, ${paced.sent()}/${events.length} sent, back after ${((restart.readyAt - restart.startedAt) / 1000).toFixed(1)} s`);
    }
    paced.flush();
    await paced.done;
    const reference = await referenceOf(rig, events);
    const doneAt = await settled(rig, reference);
    const drift = stateDrift(reference.state, await persistedState(rig));
    const alerts = await checkAlerts(rig, reference.alerts);
    const incarnations = detect.lines.filter((l) => l['msg'] === 'detect started').length;
    const retries = detect.lines.filter((l) => typeof l['msg'] === 'string' && (l['msg'] as string).endsWith('retrying')).length;
    assert.equal(incarnations, 1, 'detect survived both restarts without exiting');
    reportFault({
      fault: 'MongoDB-wire server restarted (TERM, then KILL) during state saves',
      target: 'mongodb',
      expected: alerts.expected,
      lost: alerts.lost,
      duplicated: alerts.duplicated,
      dlq: await dlqCount(rig),
      duplicateAlerts: alerts.duplicateAlerts,
      baselineDrift: drift.drift,
      recoveryMs: doneAt - readyAt,
      notes: `${events.length} events, ${reference.state.size} state entries; ${steps.join('; ')}; detect retries logged: ${retries}; ${alerts.notes}${drift.drift > 0 ? `; drift e.g. ${drift.sample.join(' / ')}` : ''}`,
    });
  } finally {
    await Promise.all([detect.stop('SIGTERM'), indexer.stop('SIGTERM')]);
    await rig.close();
  }
});

test('an indexer consumer-group rebalance mid-stream (a second indexer joins, later leaves with SIGTERM): every event in Elasticsearch exactly once', { timeout: 300_000 }, async () => {
  const rig = await createDetectRig('irebal');
  const data = generateSampleData({ endMs: Date.now(), hours: 24, seed: 31, auditPerHour: 150 });
  const messages = data.events.map((e) => ({ key: `${e.cloud.project?.id ?? '-'}:${e.user?.name ?? '-'}`, value: JSON.stringify(e) }));
  const env = { ...rig.indexerEnv, KAFKA_TOPIC_EVENTS: rig.topics.events };
  const first = startService('indexer', env, 'faults-indexer-rebalance-a');
  let second: ServiceProcess | undefined;
  const indexedBy = async (svc: ServiceProcess): Promise<number> => metricSum(await svc.url(), 'atlas_indexer_documents_total');
  try {
    await first.waitForLog('indexer started');
    const paced = sendPaced(rig.producer, rig.topics.events, messages, SLICE, 400);
    const steps: string[] = [];
    await waitFor(async () => ((await indexedBy(first)) >= messages.length * (0.1 + Math.random() * 0.15) ? true : undefined), 120_000, 'the first indexer to index 10–25 % of the stream');
    steps.push(`second joined at ${paced.sent()}/${messages.length} sent`);
    second = startService('indexer', env, 'faults-indexer-rebalance-b');
    const joined = second;
    await joined.waitForLog('indexer started');
    // The second member takes partitions: it indexes records while the stream still flows.
    const byJoined = await waitFor(async () => {
      const n = await indexedBy(joined);
      return n >= 200 ? n : undefined;
    }, 120_000, 'the second indexer to index records of its partitions');
    const firstBefore = await indexedBy(first);
    steps.push(`second left after indexing ${byJoined} at ${paced.sent()}/${messages.length} sent`);
    assert.ok(paced.sent() < messages.length, 'the second indexer leaves while events still flow');
    assert.equal(await joined.stop('SIGTERM'), 0, 'the second indexer drains and exits 0 on SIGTERM');
    const leftAt = Date.now();
    paced.flush();
    await paced.done;
    const wanted = new Set(data.events.map((e) => e.event.id));
    assert.equal(wanted.size, data.events.length, 'the generated ids are distinct');
    let counts = new Map<string, number>();
    await waitFor(async () => {
      counts = await idCounts(rig.es, rig.layout.eventsPattern);
      return [...wanted].every((id) => counts.has(id)) && (await groupLag(rig.indexerGroup, rig.topics.events)) === 0 ? true : undefined;
    }, 180_000, 'every event indexed and the group caught up', 500);
    const doneAt = Date.now();
    counts = await idCounts(rig.es, rig.layout.eventsPattern);
    const stored = [...counts.values()].reduce((a, b) => a + b, 0);
    const extra = [...counts.keys()].filter((id) => !wanted.has(id)).length;
    const firstAfter = await indexedBy(first);
    reportFault({
      fault: 'indexer group rebalance mid-stream (member joins, then leaves)',
      target: 'indexer',
      expected: wanted.size,
      lost: [...wanted].filter((id) => !counts.has(id)).length,
      duplicated: stored - counts.size + extra,
      dlq: await dlqCount(rig),
      recoveryMs: doneAt - leftAt,
      notes: `${steps.join('; ')}; the first indexer settled ${firstBefore} records before the second left and ${firstAfter} in all (409s of redelivered records included); ${stored} documents, ${extra} ids not produced`,
    });
  } finally {
    await Promise.all([first.stop('SIGTERM'), second?.stop('SIGTERM')]);
    await rig.close();
  }
});
