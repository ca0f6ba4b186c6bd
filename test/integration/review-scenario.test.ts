import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { accessHistory } from '@atlas-audit/atlas-sim/core/access-history';
import { projectEvents } from '@atlas-audit/atlas-sim/core/events';
import { lineBytes, linesForWindow } from '@atlas-audit/atlas-sim/core/host-chunk';
import { customRolesOf, databaseUsersAt } from '@atlas-audit/atlas-sim/core/posture';
import { parseScenario } from '@atlas-audit/atlas-sim/core/scenario';
import { buildWorld, type Project, type World } from '@atlas-audit/atlas-sim/core/world';
import { createOccurrenceCounter } from '@atlas-audit/shared/core/event-id';
import { accessEntryRawKey, normaliseAccessEntry } from '@atlas-audit/shared/core/normalise/access';
import { normaliseActivityEvent } from '@atlas-audit/shared/core/normalise/activity';
import { createAuditNormaliser } from '@atlas-audit/shared/core/normalise/audit';
import { normalisePostureSnapshot } from '@atlas-audit/shared/core/normalise/posture';
import { diffSnapshots } from '@atlas-audit/shared/core/normalise/posture-diff';
import type { PostureSnapshot } from '@atlas-audit/shared/core/normalise/posture-resources';
import { eventIndexName, indexLayout } from '@atlas-audit/shared/es/index-names';
import { installTemplates } from '@atlas-audit/shared/es/install-templates';
import { schemaMappings } from '@atlas-audit/shared/es/mappings';
import { templatesFor } from '@atlas-audit/shared/es/templates';
import { createLogger } from '@atlas-audit/shared/logger';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { endpoints, uniqueSuffix } from '@atlas-audit/test/env';
import { reviewConfigSchema } from '@atlas-audit/review/config';
import { reviewIndexName } from '@atlas-audit/review/core/review-docs';
import { openReviewDeps } from '@atlas-audit/review/open-deps';
import { runAccessReview } from '@atlas-audit/review/run-review';

const root = resolve(import.meta.dirname, '..', '..');
const H = 3_600_000;

function unwrap(results: ReturnType<typeof normaliseActivityEvent>[]): AtlasEvent[] {
  return results.flatMap((r) => (r.ok ? [r.value] : []));
}

/** What the ingest worker would produce for one project over [startMs, endMs): audit lines, access history and project events, normalised. */
function servedEvents(world: World, project: Project, startMs: number, endMs: number): AtlasEvent[] {
  const out: AtlasEvent[] = [];
  const published = endMs + 86_400_000;
  for (const process of project.processes) {
    const logName = process.kind === 'mongos' ? 'mongos-audit-log' : 'mongodb-audit-log';
    const normalise = createAuditNormaliser({ project: project.id, host: process.hostname, logName });
    const counter = createOccurrenceCounter();
    for (const line of linesForWindow(world, project.id, process.hostname, logName, startMs, endMs, published)) {
      const bytes = lineBytes(line);
      const r = normalise(bytes, counter.next(bytes));
      if (r.ok) out.push(r.value);
    }
  }
  for (const cluster of project.clusters) {
    const counter = createOccurrenceCounter();
    for (const entry of accessHistory(world, project, cluster.processes, { startMs, endMs, nLogs: Number.MAX_SAFE_INTEGER }, published)) {
      const r = normaliseAccessEntry(entry, counter.next(accessEntryRawKey(entry)), { project: project.id, cluster: cluster.name });
      if (r.ok) out.push(r.value);
    }
  }
  out.push(...unwrap(projectEvents(world, project, startMs, endMs).map((doc) => normaliseActivityEvent(doc, { project: project.id }))));
  return out;
}

function snapshotAt(world: World, project: Project, takenAtMs: number, usersAtMs: number): PostureSnapshot {
  return { takenAt: new Date(takenAtMs).toISOString(), databaseUsers: { results: databaseUsersAt(world, project, usersAtMs) }, customDBRoles: customRolesOf(project) };
}

test('the review of the test-small simulator scenario lists its principals with the privileged, dormant and changed flags the scenario implies', { timeout: 240_000 }, async () => {
  const scenario = parseScenario(readFileSync(join(root, 'services/atlas-sim/scenarios/test-small.yaml'), 'utf8'));
  assert.ok(scenario.ok, scenario.ok ? '' : scenario.reason);
  const world = buildWorld(scenario.value);
  const project = world.projects.find((p) => p.name === 'payments');
  assert.ok(project);
  const grant = world.attacks.find((a) => a.attack.type === 'role-grant' && a.projectId === project.id);
  assert.ok(grant && grant.attack.type === 'role-grant');
  const startMs = Date.parse(scenario.value.start);
  const midMs = startMs + 2 * H;
  const endMs = startMs + 4 * H;
  assert.ok(grant.atMs > midMs && grant.atMs < endMs, 'the role grant happens in the second review window');

  const suffix = uniqueSuffix();
  const namespace = `it_review_sim_${suffix}`;
  const layout = indexLayout(namespace);
  const templates = templatesFor(layout, schemaMappings());
  const es = new Client({ node: endpoints.elasticsearchUrl });
  await installTemplates(es, templates);
  const database = `it_review_sim_${suffix}`;
  try {
    // Posture as the ingest worker records it: a first snapshot taken long before (the users
    // already existed), then a snapshot just before the second review ends, diffed.
    const first = snapshotAt(world, project, startMs - 120 * 24 * H, startMs);
    const second = snapshotAt(world, project, endMs - 5 * 60_000, endMs - 5 * 60_000);
    const posture = [...normalisePostureSnapshot(first, { project: project.id }), ...diffSnapshots(first, second, { project: project.id })].map((r) => {
      assert.ok(r.ok, r.ok ? '' : r.reason);
      return r.value;
    });
    const events = servedEvents(world, project, startMs, endMs);
    const all = [...posture, ...events];
    for (let i = 0; i < all.length; i += 2_000) {
      const slice = all.slice(i, i + 2_000);
      const res = await es.bulk({ refresh: i + 2_000 >= all.length ? 'wait_for' : false, operations: slice.flatMap((e) => [{ create: { _index: eventIndexName(layout, e['@timestamp']) as string, _id: e.event.id } }, e]) });
      assert.equal(res.errors, false, JSON.stringify(res.items.find((it) => it.create?.error && it.create.status !== 409)?.create?.error));
    }

    const config = reviewConfigSchema.parse({ elasticsearch: { url: endpoints.elasticsearchUrl }, mongodb: { uri: endpoints.mongodbUri, database }, review: { namespace, outputDir: join(root, 'test-output', `review-sim-${suffix}`) } });
    const opened = await openReviewDeps(config, createLogger({ name: 'review-sim-it', level: 'silent' }));
    let a;
    let b;
    try {
      const request = { project: project.id, timeZone: 'UTC', dormantDays: 90, lookbackDays: 400 };
      a = await runAccessReview({ ...request, fromIso: new Date(startMs).toISOString(), toIso: new Date(midMs).toISOString() }, opened.deps);
      b = await runAccessReview({ ...request, fromIso: new Date(midMs).toISOString(), toIso: new Date(endMs).toISOString() }, opened.deps);
    } finally {
      await opened.close();
    }

    // Expected from the scenario: its database users, plus every name that authenticated
    // successfully in the window without being one (the Atlas agents), and nobody else.
    const scenarioUsers = project.spec.users.map((u) => u.username).sort();
    const inWindow = (e: AtlasEvent) => Date.parse(e['@timestamp']) >= midMs && Date.parse(e['@timestamp']) < endMs;
    const succeeded = new Set(events.filter((e) => inWindow(e) && e.event.category.includes('authentication') && e.event.outcome === 'success' && e.user?.name).map((e) => e.user?.name as string));
    const unmanaged = [...succeeded].filter((n) => !scenarioUsers.includes(n)).sort();
    const byName = new Map(b.review.rows.map((r) => [r.principal, r]));
    assert.deepEqual([...byName.keys()].sort(), [...scenarioUsers, ...unmanaged].sort());
    assert.deepEqual(b.review.rows.filter((r) => r.principal_type === 'unmanaged').map((r) => r.principal).sort(), unmanaged);
    for (const attacker of ['admin', 'root']) assert.equal(byName.has(attacker), false, `${attacker} only failed: no row`);
    const appFailures = events.filter((e) => inWindow(e) && e.event.category.includes('authentication') && e.event.outcome === 'failure' && e.user?.name === 'app_svc').length;
    assert.ok(appFailures > 5, `the brute force against app_svc is in the events (${appFailures})`);
    assert.equal(byName.get('app_svc')?.failed_logins, appFailures);

    // Privileged: dba_ops (userAdminAnyDatabase, readWriteAnyDatabase, then root); changed: dba_ops got root.
    assert.deepEqual(b.review.rows.filter((r) => r.privileged).map((r) => r.principal), ['dba_ops']);
    assert.deepEqual(byName.get('dba_ops')?.privileged_roles, ['readWriteAnyDatabase@admin', 'root@admin', 'userAdminAnyDatabase@admin']);
    assert.deepEqual(b.review.rows.filter((r) => r.changed).map((r) => [r.principal, r.change, r.roles_granted]), [['dba_ops', 'roles_changed', [`${grant.attack.role.role}@${grant.attack.role.db}`]]]);
    assert.equal(b.review.previous_review_id, a.review.id);
    // Dormant: users with no successful login since their creation 120 days ago.
    const loggedIn = new Set(events.filter((e) => Date.parse(e['@timestamp']) < endMs && e.event.category.includes('authentication') && e.event.outcome === 'success').map((e) => e.user?.name));
    assert.deepEqual(b.review.rows.filter((r) => r.dormant).map((r) => r.principal), scenarioUsers.filter((u) => !loggedIn.has(u)));
    assert.ok(b.review.rows.some((r) => r.dormant), 'the scenario has a user without logins in these hours');
    // Counts agree with the events.
    const appSuccesses = events.filter((e) => inWindow(e) && e.event.category.includes('authentication') && e.event.outcome === 'success' && e.user?.name === 'app_svc').length;
    assert.equal(byName.get('app_svc')?.successful_logins, appSuccesses);
    assert.ok(byName.get('dba_ops')?.source_prefixes.includes('192.0.2.0/24'), 'the new-IP login shows as a new prefix');
    console.log(`scenario review: ${events.length} events indexed; ${b.review.rows.length} principals (${unmanaged.length} unmanaged: ${unmanaged.join(', ')})`);
  } finally {
    await es.indices.delete({ index: `${layout.eventsPattern},${layout.alertsPattern},${reviewIndexName(namespace)}`, ignore_unavailable: true, allow_no_indices: true });
    for (const t of [...templates].reverse()) {
      if (t.kind === 'index') await es.indices.deleteIndexTemplate({ name: t.name }, { ignore: [404] });
      else await es.cluster.deleteComponentTemplate({ name: t.name }, { ignore: [404] });
    }
    await es.close();
    const { MongoClient } = await import('mongodb');
    const mongo = new MongoClient(endpoints.mongodbUri);
    await mongo.connect();
    await mongo.db(database).dropDatabase();
    await mongo.close();
  }
});
