import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import { MongoClient } from 'mongodb';
import { alertSchema } from '@atlas-audit/shared/schema/alert';
import { atlasEventSchema, type AtlasEvent } from '@atlas-audit/shared/schema/event';
import { eventIndexName, indexLayout } from '@atlas-audit/shared/es/index-names';
import { installTemplates } from '@atlas-audit/shared/es/install-templates';
import { schemaMappings } from '@atlas-audit/shared/es/mappings';
import { templatesFor } from '@atlas-audit/shared/es/templates';
import { createLogger } from '@atlas-audit/shared/logger';
import { normalisePostureSnapshot } from '@atlas-audit/shared/core/normalise/posture';
import { diffSnapshots } from '@atlas-audit/shared/core/normalise/posture-diff';
import type { PostureSnapshot } from '@atlas-audit/shared/core/normalise/posture-resources';
import { endpoints, uniqueSuffix } from '@atlas-audit/test/env';
import { reviewConfigSchema } from '@atlas-audit/review/config';
import { parseCsv, CSV_COLUMNS } from '@atlas-audit/review/core/csv';
import type { Review } from '@atlas-audit/review/core/review-model';
import { reviewIndexName } from '@atlas-audit/review/core/review-docs';
import { openReviewDeps } from '@atlas-audit/review/open-deps';
import { runAccessReview } from '@atlas-audit/review/run-review';
import { runReview } from '@atlas-audit/cli/review';
import { sampleAlert } from '../../services/siem/test/fixtures.ts';
import { pngPixelStats } from './review-png.ts';

const root = resolve(import.meta.dirname, '..', '..');
const MARKER = 'CUSTOMER-SECRET-7f3a';
let seq = 0;

function hexId(): string {
  seq += 1;
  return createHash('sha256').update(`review-it-${seq}`).digest('hex');
}

type EventFields = Omit<Partial<AtlasEvent>, 'event'> & { event: Partial<AtlasEvent['event']> };

function event(project: string, at: string, fields: EventFields): AtlasEvent {
  const { event: e, atlas, ...rest } = fields;
  return atlasEventSchema.parse({
    schema_version: '1',
    '@timestamp': at,
    event: { id: hexId(), kind: 'event', category: ['authentication'], type: ['start'], action: 'authenticate', outcome: 'success', dataset: 'atlas.access', module: 'mongodb_atlas', ...e },
    cloud: { provider: 'mongodb_atlas', project: { id: project } },
    related: { ip: [], user: [] },
    ...rest,
    atlas: { source_coordinates: { project, occurrence: 0 }, ...atlas },
  });
}

function login(project: string, at: string, user: string, ip: string, outcome: 'success' | 'failure' = 'success'): AtlasEvent {
  return event(project, at, { event: { outcome }, user: { name: user, domain: 'admin' }, source: { ip }, related: { ip: [ip], user: [user] } });
}

function dbUser(username: string, roles: Array<[string, string]>, extra: Record<string, string> = {}): Record<string, unknown> {
  return { username, databaseName: extra['databaseName'] ?? 'admin', roles: roles.map(([roleName, databaseName]) => ({ roleName, databaseName })), scopes: [], ...extra };
}

async function screenshot(htmlPath: string, pngPath: string): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'review-chromium-'));
  try {
    await promisify(execFile)(
      '/usr/bin/chromium',
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, `--screenshot=${pngPath}`, '--window-size=1280,2000', `file://${htmlPath}`],
      { timeout: 90_000 },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

test('the access review lists exactly the expected principals and flags, exports safe files, stores checksums, indexes rows, and renders in Chromium', { timeout: 240_000 }, async () => {
  const suffix = uniqueSuffix();
  const namespace = `it_review_${suffix}`;
  const database = `it_review_${suffix}`;
  const project = `65f0c0ffee0ddba1${suffix.slice(0, 8)}`;
  const layout = indexLayout(namespace);
  const templates = templatesFor(layout, schemaMappings());
  const es = new Client({ node: endpoints.elasticsearchUrl });
  const mongo = new MongoClient(endpoints.mongodbUri);
  const outputDir = join(root, 'test-output', `review-${suffix}`);
  await installTemplates(es, templates);
  await mongo.connect();
  try {
    // Posture, through the shared normalisers as the ingest worker produces it: a first snapshot
    // on 2025-01-01 (state events), then diffs: report_ro gains a role and legacy_etl is removed
    // (2025-03-12), intern is created (2025-03-13).
    const customRoles = [{ roleName: 'userMgr', actions: [{ action: 'CREATE_USER', resources: [{ db: 'admin', collection: '' }] }], inheritedRoles: [] }];
    const usersT0 = [
      dbUser('app_svc', [['readWrite', 'sales']]),
      dbUser('dba_ops', [['atlasAdmin', 'admin']]),
      dbUser('report_ro', [['read', 'reporting']]),
      dbUser('legacy_etl', [['readWrite', 'warehouse']]),
      dbUser('CN=svc-billing', [['read', 'billing']], { databaseName: '$external', x509Type: 'MANAGED' }),
      dbUser('helpdesk', [['userMgr', 'admin']]),
    ];
    const usersT1 = usersT0.filter((u) => u['username'] !== 'legacy_etl').map((u) => (u['username'] === 'report_ro' ? dbUser('report_ro', [['read', 'reporting'], ['readWrite', 'reporting']]) : u));
    const usersT2 = [...usersT1, dbUser('intern', [['read', 'sales']])];
    const snapshots: PostureSnapshot[] = [
      { takenAt: '2025-01-01T00:00:00.000Z', databaseUsers: { results: usersT0 }, customDBRoles: customRoles },
      { takenAt: '2025-03-12T09:00:00.000Z', databaseUsers: { results: usersT1 }, customDBRoles: customRoles },
      { takenAt: '2025-03-13T10:00:00.000Z', databaseUsers: { results: usersT2 }, customDBRoles: customRoles },
    ];
    const postureEvents = [
      ...normalisePostureSnapshot(snapshots[0] as PostureSnapshot, { project }),
      ...diffSnapshots(snapshots[0] as PostureSnapshot, snapshots[1] as PostureSnapshot, { project }),
      ...diffSnapshots(snapshots[1] as PostureSnapshot, snapshots[2] as PostureSnapshot, { project }),
      // Another project's user must not appear.
      ...normalisePostureSnapshot({ takenAt: '2025-01-01T00:00:00.000Z', databaseUsers: [dbUser('stranger', [['root', 'admin']])] }, { project: 'other-project' }),
    ].map((r) => {
      assert.ok(r.ok, r.ok ? '' : r.reason);
      return r.value;
    });
    assert.equal(postureEvents.filter((e) => e.atlas.diff !== undefined).length, 3, 'two diffs on 03-12, one on 03-13');
    await mongo.db(database).collection('posture_events').insertMany(postureEvents.map((e) => ({ ...e })));

    const events: AtlasEvent[] = [
      login(project, '2024-10-01T08:00:00.000Z', 'report_ro', '198.51.100.20'),
      login(project, '2025-03-05T10:00:00.000Z', 'app_svc', '203.0.113.45'),
      login(project, '2025-03-11T10:00:00.000Z', 'app_svc', '203.0.113.45'),
      login(project, '2025-03-11T11:00:00.000Z', 'app_svc', '198.51.100.7'),
      login(project, '2025-03-11T11:05:00.000Z', 'app_svc', '198.51.100.77', 'failure'),
      login(project, '2025-03-11T11:06:00.000Z', 'app_svc', '198.51.100.77', 'failure'),
      login(project, '2025-03-12T07:00:00.000Z', 'dba_ops', '192.0.2.10'),
      login(project, '2025-03-14T12:00:00.000Z', 'CN=svc-billing', '2001:db8:5::9'),
      login(project, '2025-03-14T13:00:00.000Z', 'helpdesk', '192.0.2.77'),
      login(project, '2025-03-15T00:10:00.000Z', 'mms-automation', '192.168.240.12'),
      login(project, '2025-03-15T01:00:00.000Z', 'ghost', '198.51.100.99', 'failure'),
      login('other-project', '2025-03-12T07:00:00.000Z', 'stranger', '192.0.2.200'),
      event(project, '2025-03-13T10:00:00.000Z', {
        event: { category: ['iam'], type: ['user', 'creation'], action: 'createUser', dataset: 'atlas.audit' },
        user: { name: 'dba_ops', domain: 'admin', target: { name: 'intern', domain: 'admin' } },
        atlas: { atype: 'createUser', param: { user: 'intern', db: 'admin', customData: { note: MARKER } } } as never,
      }),
      event(project, '2025-03-13T10:00:01.000Z', {
        event: { category: ['iam'], type: ['user', 'creation'], action: 'MONGODB_USER_ADDED', dataset: 'atlas.activity' },
        user: { name: 'ops@example.com', domain: 'atlas' },
        atlas: { event_type: 'MONGODB_USER_ADDED', activity: { id: 'a1', db_user_username: 'intern', description: MARKER } } as never,
      }),
    ];
    const alert = alertSchema.parse({ ...sampleAlert({ id: hexId() }), '@timestamp': '2025-03-11T10:00:00.000Z', user: { name: 'app_svc', domain: 'admin' }, cloud: { provider: 'mongodb_atlas', project: { id: project } } });
    const operations = [
      ...[...postureEvents, ...events].flatMap((e) => [{ create: { _index: eventIndexName(layout, e['@timestamp']) as string, _id: e.event.id } }, e]),
      { create: { _index: layout.alertsIndex, _id: alert.event.id } },
      alert,
    ];
    const bulk = await es.bulk({ refresh: 'wait_for', operations });
    assert.equal(bulk.errors, false, JSON.stringify(bulk.items.find((i) => i.create?.error)?.create?.error));

    const config = reviewConfigSchema.parse({
      elasticsearch: { url: endpoints.elasticsearchUrl },
      mongodb: { uri: endpoints.mongodbUri, database },
      review: { namespace, outputDir, postureSource: 'mongodb' },
    });
    const opened = await openReviewDeps(config, createLogger({ name: 'review-it', level: 'silent' }));
    let week1;
    try {
      week1 = await runAccessReview({ project, fromIso: '2025-03-03T00:00:00.000Z', toIso: '2025-03-10T00:00:00.000Z', timeZone: 'UTC', dormantDays: 90, lookbackDays: 400 }, opened.deps);
    } finally {
      await opened.close();
    }
    assert.deepEqual(week1.review.rows.map((r) => r.principal), ['app_svc', 'CN=svc-billing', 'dba_ops', 'helpdesk', 'legacy_etl', 'report_ro']);
    assert.ok(week1.review.rows.every((r) => r.change === 'first_review'));
    assert.deepEqual(week1.review.rows.filter((r) => r.dormant).map((r) => r.principal), ['report_ro']);

    // Week 2 through the CLI, with dates as an operator types them, reading posture from
    // Elasticsearch (the default: the indexer stores posture events with the others).
    let stdout = '';
    let stderr = '';
    const env = { ELASTICSEARCH_URL: endpoints.elasticsearchUrl, MONGODB_URI: endpoints.mongodbUri, MONGODB_DATABASE: database, INDEX_NAMESPACE: namespace, REVIEW_OUTPUT_DIR: outputDir, LOG_LEVEL: 'silent' };
    const code = await runReview(['--project', project, '--from', '2025-03-10', '--to', '2025-03-16'], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env });
    assert.equal(code, 0, stderr);
    const jsonPath = /(\S+access-review\.json)/.exec(stdout)?.[1];
    assert.ok(jsonPath && existsSync(jsonPath), `CLI prints where the files are:\n${stdout}`);
    assert.match(stdout, /principals 8: 2 privileged, 1 dormant \(>90 days\), 4 changed \(2 new, 1 removed\)/);
    assert.match(stdout, new RegExp(`compared   with review ${week1.review.id}`));

    const review = JSON.parse(readFileSync(jsonPath, 'utf8')) as Review;
    assert.equal(review.from, '2025-03-10T00:00:00.000Z');
    assert.equal(review.to, '2025-03-17T00:00:00.000Z');
    const byName = new Map(review.rows.map((r) => [r.principal, r]));
    assert.deepEqual([...byName.keys()], ['app_svc', 'CN=svc-billing', 'dba_ops', 'helpdesk', 'intern', 'legacy_etl', 'mms-automation', 'report_ro']);
    assert.deepEqual(review.rows.filter((r) => r.privileged).map((r) => r.principal), ['dba_ops', 'helpdesk']);
    assert.deepEqual(review.rows.filter((r) => r.dormant).map((r) => r.principal), ['report_ro']);
    assert.deepEqual(review.rows.filter((r) => r.changed).map((r) => [r.principal, r.change]), [['intern', 'new'], ['legacy_etl', 'removed'], ['mms-automation', 'new'], ['report_ro', 'roles_changed']]);
    assert.deepEqual(byName.get('report_ro')?.roles_granted, ['readWrite@reporting']);
    assert.deepEqual(byName.get('legacy_etl')?.roles_revoked, ['readWrite@warehouse']);
    const app = byName.get('app_svc');
    assert.equal(app?.successful_logins, 2);
    assert.equal(app?.failed_logins, 2);
    assert.deepEqual(app?.source_prefixes, ['198.51.100.0/24', '203.0.113.0/24']);
    assert.equal(app?.last_successful_login, '2025-03-11T11:00:00.000Z');
    assert.equal(app?.alerts, 1);
    assert.equal(byName.get('dba_ops')?.admin_actions, 1);
    assert.equal(byName.get('intern')?.created_at, '2025-03-13T10:00:00.000Z');
    assert.equal(byName.get('CN=svc-billing')?.auth_method, 'X.509 (MANAGED)');
    assert.deepEqual(byName.get('CN=svc-billing')?.source_prefixes, ['2001:db8:5:0::/64']);
    assert.equal(byName.get('mms-automation')?.principal_type, 'unmanaged');
    assert.equal(byName.get('report_ro')?.days_since_last_login, 166);
    assert.equal(review.summary.failed_logins, 2, 'the failure of an unknown user is not a principal row');
    assert.equal(review.summary.failed_logins_all_users, 3, 'but it counts among all failures');
    assert.equal(review.per_day.length, 7);
    assert.deepEqual(review.per_day.find((d) => d.day === '2025-03-11'), { day: '2025-03-11', success: 2, failure: 2 });

    // Files: CSV parses to the same rows; no audit param content anywhere; checksums match MongoDB.
    const directory = resolve(jsonPath, '..');
    const csvRows = parseCsv(readFileSync(join(directory, 'access-review.csv'), 'utf8'));
    assert.ok(csvRows);
    assert.deepEqual(csvRows[0], [...CSV_COLUMNS]);
    assert.deepEqual(csvRows.slice(1).map((r) => r[0]), [...byName.keys()]);
    const names = ['access-review.csv', 'access-review.json', 'access-review.html'];
    for (const name of [...names, 'SHA256SUMS']) assert.ok(!readFileSync(join(directory, name), 'utf8').includes(MARKER), `${name} holds no audit param data`);
    const record = await mongo.db(database).collection<{ _id: string; files: Array<{ name: string; sha256: string }>; sha256: string; previous_review_id: string }>('access_reviews').findOne({ _id: review.id });
    assert.ok(record);
    assert.equal(record.previous_review_id, week1.review.id);
    for (const name of names) {
      const digest = createHash('sha256').update(readFileSync(join(directory, name))).digest('hex');
      assert.equal(record.files.find((f) => f.name === name)?.sha256, digest, name);
    }
    assert.equal(record.sha256, createHash('sha256').update(readFileSync(join(directory, 'SHA256SUMS'))).digest('hex'));
    assert.equal(await mongo.db(database).collection('access_reviews').countDocuments({ project }), 2);

    // Rows are searchable for the dashboard.
    const index = reviewIndexName(namespace);
    const count = await es.count({ index, query: { term: { 'review.id': review.id } } });
    assert.equal(count.count, 8);
    const privileged = await es.search<{ row: { principal: string } }>({ index, query: { bool: { filter: [{ term: { 'review.id': review.id } }, { term: { 'row.privileged': true } }] } }, sort: [{ 'row.principal': 'asc' }] });
    assert.deepEqual(privileged.hits.hits.map((h) => h._source?.row.principal), ['dba_ops', 'helpdesk']);

    // The HTML report renders in headless Chromium to a non-blank screenshot.
    mkdirSync(join(root, 'test-output'), { recursive: true });
    const pngPath = join(root, 'test-output', 'review-report.png');
    rmSync(pngPath, { force: true });
    await screenshot(join(directory, 'access-review.html'), pngPath);
    const stats = pngPixelStats(readFileSync(pngPath));
    assert.equal(stats.width, 1280);
    assert.ok(stats.lumaStdDev > 10, `pixel brightness varies (std dev ${stats.lumaStdDev.toFixed(1)})`);
    assert.ok(stats.nonWhiteFraction > 0.01, `some of the page is not white (${(stats.nonWhiteFraction * 100).toFixed(2)} %)`);
    assert.ok(stats.distinctColours > 20, `charts and flags add colours (${stats.distinctColours})`);
    console.log(`review report screenshot ${pngPath}: ${stats.width}x${stats.height}, luma std dev ${stats.lumaStdDev.toFixed(1)}, non-white ${(stats.nonWhiteFraction * 100).toFixed(1)} %, ${stats.distinctColours} colours`);
  } finally {
    await es.indices.delete({ index: `${layout.eventsPattern},${layout.alertsPattern},${reviewIndexName(namespace)}`, ignore_unavailable: true, allow_no_indices: true });
    for (const t of [...templates].reverse()) {
      if (t.kind === 'index') await es.indices.deleteIndexTemplate({ name: t.name }, { ignore: [404] });
      else await es.cluster.deleteComponentTemplate({ name: t.name }, { ignore: [404] });
    }
    await mongo.db(database).dropDatabase();
    await mongo.close();
    await es.close();
  }
});
