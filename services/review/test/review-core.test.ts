import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summariseActivity } from '../src/core/activity.ts';
import { buildReview, reviewIdOf } from '../src/core/build-review.ts';
import { neutraliseFormula, parseCsv, renderCsv, CSV_COLUMNS } from '../src/core/csv.ts';
import { renderHtmlReport } from '../src/core/html-report.ts';
import { prefixOf } from '../src/core/ip-prefix.ts';
import { replayPosture, authMethodOf, type PostureEvent } from '../src/core/posture.ts';
import { privilegedRolesOf } from '../src/core/privilege.ts';

function userState(username: string, roles: Array<[string, string]>, extra: Record<string, unknown> = {}): Record<string, string | unknown[]> {
  return { username, databaseName: 'admin', roles: roles.map(([roleName, databaseName]) => ({ roleName, databaseName })), scopes: [], ...extra } as Record<string, string | unknown[]>;
}

function snap(at: string, kind: 'database_user' | 'custom_role', resource: string, state: Record<string, unknown>): PostureEvent {
  return { '@timestamp': at, atlas: { snapshot: { kind, resource, state: state as never } } };
}

test('IP prefixes are /24 for IPv4 and /64 for IPv6; junk is rejected', () => {
  const cases: Array<[string, string | undefined]> = [
    ['203.0.113.45', '203.0.113.0/24'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['999.1.1.1', undefined],
    ['not-an-ip', undefined],
    ['1:2:3', undefined],
  ];
  for (const [ip, expected] of cases) assert.equal(prefixOf(ip), expected, ip);
});

test('posture replay applies snapshots and diffs up to the window end', () => {
  const events: PostureEvent[] = [
    snap('2025-01-01T00:00:00.000Z', 'database_user', 'app@admin', userState('app', [['readWrite', 'sales']])),
    snap('2025-02-01T00:00:00.000Z', 'database_user', 'app@admin', userState('app', [['readWrite', 'sales']])),
    snap('2025-02-10T00:00:00.000Z', 'database_user', 'app@admin', userState('app', [['readWrite', 'sales'], ['read', 'hr']])),
    snap('2025-01-01T00:00:00.000Z', 'database_user', 'old@admin', userState('old', [['read', 'x']])),
    { '@timestamp': '2025-02-20T00:00:00.000Z', atlas: { diff: { kind: 'removed', resource_type: 'database_user', resource: 'old@admin' } } },
    snap('2025-03-20T00:00:00.000Z', 'database_user', 'late@admin', userState('late', [['read', 'x']])),
  ];
  const view = replayPosture(events, '2025-03-01T00:00:00.000Z');
  assert.deepEqual([...view.users.keys()], ['app@admin']);
  assert.equal(view.users.get('app@admin')?.firstSeen, '2025-01-01T00:00:00.000Z');
  assert.equal(view.users.get('app@admin')?.lastChanged, '2025-02-10T00:00:00.000Z');
  assert.equal(view.removed.get('old@admin')?.removedAt, '2025-02-20T00:00:00.000Z');
});

test('privileged: built-ins, admin-db roles, and custom roles with user admin actions or privileged parents', () => {
  const customRoles = new Map([
    ['userMgr', { roleName: 'userMgr', actions: [{ action: 'CREATE_USER' }], inheritedRoles: [] }],
    ['reader', { roleName: 'reader', actions: [{ action: 'FIND' }], inheritedRoles: [] }],
    ['wrapper', { roleName: 'wrapper', actions: [], inheritedRoles: [{ role: 'atlasAdmin', db: 'admin' }] }],
    ['loopA', { roleName: 'loopA', actions: [], inheritedRoles: [{ role: 'loopB', db: 'admin' }] }],
    ['loopB', { roleName: 'loopB', actions: [], inheritedRoles: [{ role: 'loopA', db: 'admin' }] }],
  ]);
  const roles = (pairs: Array<[string, string]>) => ({ username: 'u', databaseName: 'admin', scopes: [], roles: pairs.map(([roleName, databaseName]) => ({ roleName, databaseName })) });
  assert.deepEqual(privilegedRolesOf(roles([['atlasAdmin', 'admin']]), customRoles), ['atlasAdmin@admin']);
  assert.deepEqual(privilegedRolesOf(roles([['readWrite', 'sales'], ['read', 'hr']]), customRoles), []);
  assert.deepEqual(privilegedRolesOf(roles([['dbOwner', 'admin'], ['dbOwner', 'sales']]), customRoles), ['dbOwner@admin']);
  assert.deepEqual(privilegedRolesOf(roles([['userMgr', 'admin'], ['reader', 'admin'], ['wrapper', 'admin']]), customRoles), ['userMgr@admin', 'wrapper@admin']);
  assert.deepEqual(privilegedRolesOf(roles([['loopA', 'admin']]), customRoles), []);
  assert.equal(authMethodOf({ username: 'x', databaseName: '$external', roles: [], scopes: [], x509Type: 'MANAGED' }), 'X.509 (MANAGED)');
  assert.equal(authMethodOf({ username: 'x', databaseName: 'admin', roles: [], scopes: [], x509Type: 'NONE', awsIAMType: 'NONE' }), 'SCRAM');
});

function activity(byUser: Record<string, { ok?: number; fail?: number; last?: string; ips?: string[]; admin?: number; alerts?: number }>, lastEver: Record<string, string> = {}) {
  const ms = (iso: string) => Date.parse(iso);
  return summariseActivity({
    auth: {
      aggregations: {
        by_user: { buckets: Object.entries(byUser).map(([key, v]) => ({ key, doc_count: (v.ok ?? 0) + (v.fail ?? 0), success: { doc_count: v.ok ?? 0, last: { value: v.last ? ms(v.last) : null }, ips: { buckets: (v.ips ?? []).map((k) => ({ key: k })) } }, failure: { doc_count: v.fail ?? 0, ips: { buckets: [] } } })) },
        per_day: { buckets: [{ key_as_string: '2025-03-03', key: 0, doc_count: 3, outcome: { buckets: [{ key: 'success', doc_count: 2 }, { key: 'failure', doc_count: 1 }] } }] },
      },
    },
    lastSuccess: { aggregations: { by_user: { buckets: Object.entries(lastEver).map(([key, v]) => ({ key, last: { value: ms(v) } })) } } },
    admin: { aggregations: { by_user: { buckets: Object.entries(byUser).filter(([, v]) => v.admin).map(([key, v]) => ({ key, doc_count: v.admin, actions: { buckets: [{ key: 'createUser' }] } })) } } },
    alerts: { aggregations: { by_user: { buckets: Object.entries(byUser).filter(([, v]) => v.alerts).map(([key, v]) => ({ key, doc_count: v.alerts, rules: { buckets: [{ key: 'D3' }] } })) } } },
    lifecycle: { aggregations: { by_activity_target: { buckets: [{ key: 'app', actions: { buckets: [{ key: 'MONGODB_USER_ADDED', first: { value: ms('2024-06-01T00:00:00Z') }, last: { value: ms('2024-06-01T00:00:00Z') } }] } }] } } },
  });
}

const window = { project: 'p1', fromIso: '2025-03-03T00:00:00.000Z', toIso: '2025-03-10T00:00:00.000Z', generatedAtIso: '2025-03-10T06:00:00.000Z', timeZone: 'UTC', dormantDays: 90 };

test('the review lists posture users, removed and unmanaged principals with privileged, dormant and change flags', () => {
  const posture = replayPosture(
    [
      snap('2024-01-01T00:00:00.000Z', 'database_user', 'app@admin', userState('app', [['readWrite', 'sales'], ['read', 'hr']])),
      snap('2024-01-01T00:00:00.000Z', 'database_user', 'dba@admin', userState('dba', [['atlasAdmin', 'admin']])),
      snap('2024-01-01T00:00:00.000Z', 'database_user', 'sleepy@admin', userState('sleepy', [['read', 'x']])),
      snap('2025-03-05T00:00:00.000Z', 'database_user', 'fresh@admin', userState('fresh', [['read', 'x']])),
    ],
    window.toIso,
  );
  const previous = { id: 'prev', to: window.fromIso, principals: [{ principal: 'app', roles: ['readWrite@sales'] }, { principal: 'dba', roles: ['atlasAdmin@admin'] }, { principal: 'sleepy', roles: ['read@x'] }, { principal: 'gone', roles: ['read@y'] }, { principal: 'old-agent', roles: [], principal_type: 'unmanaged' as const }] };
  const review = buildReview({
    ...window,
    posture,
    previous,
    activity: activity({ app: { ok: 5, fail: 1, last: '2025-03-09T10:00:00.000Z', ips: ['203.0.113.45', '203.0.113.9', '2001:db8::1'], alerts: 2 }, dba: { ok: 1, last: '2025-03-04T10:00:00.000Z', admin: 3 }, 'mms-automation': { ok: 9, last: '2025-03-09T00:00:00.000Z' }, ghost: { fail: 4 } }, { sleepy: '2024-10-01T00:00:00.000Z' }),
  });
  const byName = new Map(review.rows.map((r) => [r.principal, r]));
  assert.deepEqual([...byName.keys()], ['app', 'dba', 'fresh', 'gone', 'mms-automation', 'sleepy'], 'an unmanaged principal that stopped logging in is not a removed user');
  const app = byName.get('app');
  assert.equal(app?.change, 'roles_changed');
  assert.deepEqual(app?.roles_granted, ['read@hr']);
  assert.deepEqual(app?.source_prefixes, ['2001:db8:0:0::/64', '203.0.113.0/24']);
  assert.equal(app?.created_at, '2024-01-01T00:00:00.000Z');
  assert.equal(app?.alerts, 2);
  assert.equal(app?.privileged, false);
  assert.equal(app?.dormant, false);
  assert.equal(byName.get('dba')?.privileged, true);
  assert.equal(byName.get('dba')?.change, 'unchanged');
  assert.equal(byName.get('dba')?.admin_actions, 3);
  assert.equal(byName.get('sleepy')?.dormant, true);
  assert.equal(byName.get('sleepy')?.days_since_last_login, 160);
  assert.equal(byName.get('fresh')?.dormant, false, 'new and never used is not dormant');
  assert.equal(byName.get('fresh')?.change, 'new');
  assert.equal(byName.get('gone')?.change, 'removed');
  assert.deepEqual(byName.get('gone')?.roles_revoked, ['read@y']);
  assert.equal(byName.get('mms-automation')?.principal_type, 'unmanaged');
  assert.equal(review.summary.privileged, 1);
  assert.equal(review.summary.dormant, 1);
  assert.equal(byName.get('mms-automation')?.change, 'new', 'not in the previous review');
  assert.equal(review.summary.changed, 4);
  assert.equal(review.id, reviewIdOf('p1', window.fromIso, window.toIso));
  assert.deepEqual(review.per_day, [{ day: '2025-03-03', success: 2, failure: 1 }]);
});

test('CSV is RFC 4180 and neutralises formula injection', () => {
  for (const [input, expected] of [['=1+1', "'=1+1"], ['+x', "'+x"], ['-x', "'-x"], ['@x', "'@x"], ['\tx', "'\tx"], ['\rx', "'\rx"], ['ok', 'ok'], ['a=b', 'a=b']]) assert.equal(neutraliseFormula(input as string), expected);
  const posture = replayPosture([snap('2024-01-01T00:00:00.000Z', 'database_user', 'x', userState('=HYPERLINK("http://evil","a,b")', [['read', 'x']]))], window.toIso);
  const review = buildReview({ ...window, posture, activity: activity({}) });
  const csv = renderCsv(review);
  assert.ok(csv.endsWith('\r\n'));
  const rows = parseCsv(csv);
  assert.ok(rows);
  assert.deepEqual(rows[0], [...CSV_COLUMNS]);
  assert.equal(rows[1]?.[0], `'=HYPERLINK("http://evil","a,b")`);
  assert.equal(rows[1]?.length, CSV_COLUMNS.length);
  assert.equal(rows[1]?.[CSV_COLUMNS.indexOf('decision')], '');
});

test('the HTML report escapes values and has three inline SVG charts and no scripts', () => {
  const posture = replayPosture([snap('2024-01-01T00:00:00.000Z', 'database_user', 'x', userState('<script>alert(1)</script>', [['atlasAdmin', 'admin']]))], window.toIso);
  const html = renderHtmlReport(buildReview({ ...window, posture, activity: activity({}) }));
  assert.ok(!html.includes('<script>'));
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.equal(html.match(/<svg /g)?.length, 3);
  assert.ok(!/src=|href=/.test(html), 'no external resources');
});

test('a removed diff without a state still ends the user named by its <db>/<username> resource', () => {
  const view = replayPosture(
    [
      snap('2025-01-01T00:00:00.000Z', 'database_user', '$external/CN=svc', userState('CN=svc', [['read', 'x']], { databaseName: '$external' })),
      { '@timestamp': '2025-02-01T00:00:00.000Z', atlas: { diff: { kind: 'removed', resource_type: 'database_user', resource: '$external/CN=svc' } } },
      { '@timestamp': '2025-02-02T00:00:00.000Z', atlas: { diff: { kind: 'removed', resource_type: 'database_user', resource: 'admin/never-seen' } } },
    ],
    '2025-03-01T00:00:00.000Z',
  );
  assert.equal(view.users.size, 0);
  assert.equal(view.removed.get('$external/CN=svc')?.state.databaseName, '$external');
  assert.deepEqual(view.removed.get('admin/never-seen')?.state, { username: 'never-seen', databaseName: 'admin', roles: [], scopes: [] });
});
