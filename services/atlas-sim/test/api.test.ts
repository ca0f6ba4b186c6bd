import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { javaDateText } from '../src/core/access-history.ts';
import { lineBytes, linesForWindow } from '../src/core/host-chunk.ts';
import type { RunningSim } from '../src/server.ts';
import { servedLines } from '../src/served.ts';
import { acmeOrg, analytics, bearerClient, gzipV2, json, payments, smallNow, startSmall } from './helpers.ts';

let sim: RunningSim;
let get: (path: string, accept?: string) => Promise<Response>;
const v2 = '/api/atlas/v2';
before(async () => {
  sim = await startSmall();
  get = await bearerClient(sim.url);
});
after(() => sim.close());

async function hostnames(groupId: string): Promise<string[]> {
  const body = (await (await get(`${v2}/groups/${groupId}/processes`)).json()) as { results: Array<{ hostname: string; port: number }> };
  return [...new Set(body.results.map((p) => p.hostname))];
}

test('media types: missing or malformed Accept is 406 INVALID_VERSION_DATE; a later date resolves to the newest version before it', async () => {
  for (const accept of ['', 'application/json', 'application/vnd.atlas.2022-12-31+json', 'application/vnd.atlas.2023-13-45+json', 'application/vnd.atlas.2023-01-01+gzip']) {
    const res = await get(`${v2}/groups/${payments}/processes`, accept);
    assert.equal(res.status, 406, accept);
    assert.equal(res.headers.get('x-error-code'), 'INVALID_VERSION_DATE');
    assert.deepEqual(await res.json(), { detail: 'Invalid accept header or version date.', error: 406, errorCode: 'INVALID_VERSION_DATE', parameters: [], reason: 'Not Acceptable' });
  }
  const res = await get(`${v2}/groups/${payments}/processes`, 'application/vnd.atlas.2025-03-12+json');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/vnd.atlas.2023-01-01+json;charset=utf-8');
  assert.equal(res.headers.get('server'), 'mdbws');
  await res.arrayBuffer();
});

test('log downloads need +gzip; 2023-01-01 is deprecated with Deprecation and Sunset headers', async () => {
  const [host] = await hostnames(payments);
  const path = `${v2}/groups/${payments}/clusters/${host}/logs/mongodb-audit-log.gz?startDate=1740967200&endDate=1740967500`;
  assert.equal((await get(path, json)).status, 406);
  const old = await get(path, 'application/vnd.atlas.2023-01-01+gzip');
  assert.equal(old.status, 200);
  assert.equal(old.headers.get('content-type'), 'application/vnd.atlas.2023-01-01+gzip');
  assert.equal(old.headers.get('deprecation'), 'Mon, 5 Aug 2024 00:00:00 GMT');
  assert.equal(old.headers.get('sunset'), 'Thu, 1 Jul 2027 00:00:00 GMT');
  await old.arrayBuffer();
  const current = await get(path, gzipV2);
  assert.equal(current.headers.get('content-type'), gzipV2);
  assert.equal(current.headers.get('deprecation'), null);
  await current.arrayBuffer();
});

test('processes list the replica set and the sharded cluster with Atlas fields', async () => {
  const body = (await (await get(`${v2}/groups/${analytics}/processes`)).json()) as { results: Array<Record<string, unknown>>; totalCount: number };
  assert.equal(body.totalCount, 9);
  const types = body.results.map((p) => p['typeName']).sort();
  assert.deepEqual(types, ['SHARD_CONFIG', 'SHARD_CONFIG', 'SHARD_CONFIG', 'SHARD_MONGOS', 'SHARD_MONGOS', 'SHARD_MONGOS', 'SHARD_PRIMARY', 'SHARD_SECONDARY', 'SHARD_SECONDARY']);
  assert.ok(body.results.some((p) => /-config-00-0[0-2]\./.test(String(p['hostname'])) && p['replicaSetName'] !== undefined));
  const first = body.results[0]!;
  assert.match(String(first['hostname']), /^atlas-[a-z0-9]{6}-shard-00-00\.[a-z0-9]{5}\.mongodb\.net$/);
  assert.equal(first['id'], `${first['hostname']}:${first['port']}`);
  assert.match(String(first['userAlias']), /^sharded1-shard-00-00\./);
});

test('paging: itemsPerPage/pageNum slice the list, next only while more remain, includeCount=false drops totalCount, bad values are 400', async () => {
  const page1 = (await (await get(`${v2}/groups/${payments}/processes?itemsPerPage=2`)).json()) as { links: Array<{ rel: string; href: string }>; results: unknown[]; totalCount: number };
  assert.equal(page1.results.length, 2);
  assert.equal(page1.totalCount, 3);
  assert.deepEqual(page1.links.map((l) => l.rel), ['self', 'next']);
  assert.ok(page1.links[0]!.href.endsWith(`/groups/${payments}/processes?includeCount=true&pageNum=1&itemsPerPage=2`));
  const next = new URL(page1.links[1]!.href);
  assert.equal(next.searchParams.get('pageNum'), '2');
  const page2 = (await (await get(`${next.pathname}${next.search}`)).json()) as { links: Array<{ rel: string }>; results: unknown[] };
  assert.equal(page2.results.length, 1);
  assert.deepEqual(page2.links.map((l) => l.rel), ['self']);
  const noCount = (await (await get(`${v2}/groups/${payments}/processes?includeCount=false`)).json()) as Record<string, unknown>;
  assert.equal('totalCount' in noCount, false);
  for (const q of ['itemsPerPage=0', 'itemsPerPage=501', 'pageNum=0', 'includeCount=yes']) {
    const res = await get(`${v2}/groups/${payments}/processes?${q}`);
    assert.equal(res.status, 400, q);
    assert.equal(res.headers.get('x-error-code'), 'INVALID_QUERY_PARAMETER');
    await res.arrayBuffer();
  }
});

test('unknown project, cluster, host and path give Atlas error bodies', async () => {
  const cases: Array<[string, number, string]> = [
    [`${v2}/groups/aaaaaaaaaaaaaaaaaaaaaaaa/processes`, 404, 'GROUP_NOT_FOUND'],
    [`${v2}/groups/not-an-id/processes`, 400, 'INVALID_GROUP_ID'],
    [`${v2}/groups/${payments}/clusters/Nope`, 404, 'CLUSTER_NOT_FOUND'],
    [`${v2}/groups/${payments}/dbAccessHistory/clusters/Nope`, 404, 'CLUSTER_NOT_FOUND'],
    [`${v2}/groups/${payments}/dbAccessHistory/processes/nohost.example`, 404, 'HOST_NOT_FOUND'],
    [`${v2}/orgs/bbbbbbbbbbbbbbbbbbbbbbbb/groups`, 404, 'ORG_NOT_FOUND'],
    [`${v2}/nothing/here`, 404, 'RESOURCE_NOT_FOUND'],
    [`${v2}/groups/%E0%A4%A/processes`, 404, 'RESOURCE_NOT_FOUND'],
  ];
  for (const [path, status, code] of cases) {
    const res = await get(path);
    assert.equal(res.status, status, path);
    assert.equal(res.headers.get('x-error-code'), code);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body['errorCode'], code);
    assert.equal(body['error'], status);
    assert.ok(Array.isArray(body['parameters']));
  }
  const res = await get(`${v2}/groups/${payments}/clusters/Nope`);
  assert.deepEqual(await res.json(), { detail: `No cluster named Nope exists in group ${payments}.`, error: 404, errorCode: 'CLUSTER_NOT_FOUND', parameters: ['Nope', payments], reason: 'Not Found' });
});

test('an empty window is a 0-byte body with Content-Length 0 and X-Uncompressed-Content-Length 0', async () => {
  const [host] = await hostnames(payments);
  // Before the scenario starts, and a window not yet published (the last 5 minutes).
  for (const [s, e] of [[1700000000, 1700000600], [smallNow / 1000 - 120, smallNow / 1000]]) {
    const res = await get(`${v2}/groups/${payments}/clusters/${host}/logs/mongodb-audit-log.gz?startDate=${s}&endDate=${e}`, gzipV2);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), '0');
    assert.equal(res.headers.get('x-uncompressed-content-length'), '0');
    assert.equal((await res.arrayBuffer()).byteLength, 0);
  }
  // A replica-set member runs no mongos, so its mongos audit log is empty too.
  const mongos = await get(`${v2}/groups/${payments}/clusters/${host}/logs/mongos-audit-log.gz?startDate=1740967200&endDate=1740967500`, gzipV2);
  assert.equal(mongos.headers.get('content-length'), '0');
  await mongos.arrayBuffer();
});

test('a download is gzip NDJSON equal, byte for byte, to the generator lines of the overlapping chunks, with the Atlas filename', async () => {
  const [, host] = await hostnames(payments);
  const startDate = Date.parse('2025-03-03T02:03:20Z') / 1000;
  const endDate = startDate + 900;
  const res = await get(`${v2}/groups/${payments}/clusters/${host}/logs/mongodb-audit-log.gz?startDate=${startDate}&endDate=${endDate}`, gzipV2);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-disposition'), `attachment; filename="${host}_2025-03-03T02:03:20.000000000_2025-03-03T02:18:20.000000000_MONGODB_AUDIT_LOG.log.gz"`);
  const body = gunzipSync(Buffer.from(await res.arrayBuffer()));
  assert.equal(res.headers.get('x-uncompressed-content-length'), String(body.length));
  const expected = linesForWindow(sim.control.world, payments, host!, 'mongodb-audit-log', startDate * 1000, endDate * 1000, smallNow);
  assert.ok(expected.length > 300);
  const expectedBytes = Buffer.concat(expected.flatMap((l) => [Buffer.from(lineBytes(l)), Buffer.from('\n')]));
  assert.ok(body.equals(expectedBytes));
  const served = sim.control.requests({ endpoint: 'logs', host: host! }).at(-1);
  assert.equal(served?.window?.lineCount, expected.length);
  assert.equal(served?.simMs, smallNow);
  const distinct = servedLines(sim.control.world, sim.control.requests({ host: host! }));
  assert.equal(distinct.size, expected.length);
  assert.deepEqual([...distinct.values()].map((l) => l.text).sort(), expected.map((l) => l.text).sort());
  assert.ok([...distinct.values()].every((l) => l.groupId === payments && l.host === host && l.logName === 'mongodb-audit-log'));
});

test('access history: newest first, nLogs caps, filters work, timestamps come in both formats, logLine keeps mongod padding', async () => {
  const start = Date.parse('2025-03-03T01:00:00Z');
  const end = Date.parse('2025-03-03T04:00:00Z');
  type Entry = { authResult: boolean; timestamp: string; logLine: string; ipAddress: string; username: string; hostname: string; failureReason: string | null; groupId: string };
  const all = ((await (await get(`${v2}/groups/${payments}/dbAccessHistory/clusters/Cluster0?start=${start}&end=${end}`)).json()) as { accessLogs: Entry[] }).accessLogs;
  assert.ok(all.length > 100, `${all.length}`);
  const times = all.map((e) => Date.parse((JSON.parse(e.logLine) as { t: { $date: string } }).t.$date));
  for (let i = 1; i < times.length; i++) assert.ok(times[i - 1]! >= times[i]!, 'newest first');
  assert.ok(times.every((t) => t >= start && t <= end));
  const iso = all.filter((e) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(e.timestamp));
  const javaStyle = all.filter((e) => /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} GMT \d{4}$/.test(e.timestamp));
  assert.ok(iso.length > 0 && javaStyle.length > 0);
  assert.equal(iso.length + javaStyle.length, all.length);
  const e0 = javaStyle[0]!;
  assert.equal(e0.timestamp, javaDateText(Date.parse((JSON.parse(e0.logLine) as { t: { $date: string } }).t.$date)));
  assert.match(all[0]!.logLine, /^\{"t":\{"\$date":"[^"]+"\},"s":"I", {2}"c":"ACCESS", {3}"id":(2025[09]|20429), {3}"ctx":"conn\d+"/);
  assert.ok(all.every((e) => e.groupId === payments && !['mms-automation', 'mms-monitoring-agent', '__system'].includes(e.username)));
  const x509 = all.filter((e) => e.username === 'CN=batch,OU=apps,O=Acme' && e.authResult);
  assert.ok(x509.length > 0);
  for (const e of x509) {
    const line = JSON.parse(e.logLine) as { id: number; msg: string; attr: Record<string, unknown> };
    assert.equal(line.id, 20429);
    assert.equal(line.msg, 'Successfully authenticated');
    assert.deepEqual([line.attr['user'], line.attr['db'], line.attr['mechanism']], ['CN=batch,OU=apps,O=Acme', '$external', 'MONGODB-X509']);
    assert.equal((e as unknown as { authSource: string }).authSource, '$external');
  }
  const two = ((await (await get(`${v2}/groups/${payments}/dbAccessHistory/clusters/Cluster0?start=${start}&end=${end}&nLogs=2`)).json()) as { accessLogs: Entry[] }).accessLogs;
  assert.deepEqual(two, all.slice(0, 2));
  const failed = ((await (await get(`${v2}/groups/${payments}/dbAccessHistory/clusters/Cluster0?start=${start}&end=${end}&authResult=false`)).json()) as { accessLogs: Entry[] }).accessLogs;
  assert.deepEqual(failed, all.filter((e) => !e.authResult));
  assert.ok(failed.length >= 40 && failed.every((e) => e.failureReason !== null));
  const byIp = ((await (await get(`${v2}/groups/${payments}/dbAccessHistory/clusters/Cluster0?start=${start}&end=${end}&ipAddress=192.0.2.66`)).json()) as { accessLogs: Entry[] }).accessLogs;
  assert.equal(byIp.length, 41);
  const host = all[0]!.hostname;
  const perHost = ((await (await get(`${v2}/groups/${payments}/dbAccessHistory/processes/${host}?start=${start}&end=${end}`)).json()) as { accessLogs: Entry[] }).accessLogs;
  assert.deepEqual(perHost, all.filter((e) => e.hostname === host));
  for (const q of ['nLogs=20001', 'nLogs=0', `start=${start}`, 'authResult=maybe', 'start=5&end=6']) {
    const res = await get(`${v2}/groups/${payments}/dbAccessHistory/clusters/Cluster0?${q}`);
    assert.equal(res.status, 400, q);
    await res.arrayBuffer();
  }
});

test('events: newest first, paged with next, filtered by type and date; attacks appear', async () => {
  const body = (await (await get(`${v2}/groups/${payments}/events?itemsPerPage=500`)).json()) as { results: Array<{ id: string; created: string; eventTypeName: string; whitelistEntry?: string; links: Array<{ rel: string }> }>; totalCount: number };
  assert.ok(body.totalCount >= 2);
  const created = body.results.map((e) => Date.parse(e.created));
  for (let i = 1; i < created.length; i++) assert.ok(created[i - 1]! >= created[i]!);
  assert.ok(created.every((c) => c <= smallNow));
  const opened = body.results.find((e) => e.eventTypeName === 'NETWORK_PERMISSION_ENTRY_ADDED');
  assert.equal(opened?.whitelistEntry, '0.0.0.0/0');
  const p1 = (await (await get(`${v2}/groups/${payments}/events?itemsPerPage=1`)).json()) as { links: Array<{ rel: string }>; results: Array<{ id: string }> };
  assert.deepEqual(p1.links.map((l) => l.rel), ['self', 'next']);
  assert.equal(p1.results[0]?.id, body.results[0]?.id);
  const filtered = (await (await get(`${v2}/groups/${payments}/events?eventType=NETWORK_PERMISSION_ENTRY_ADDED&minDate=2025-03-03T03:00:00Z&maxDate=2025-03-03T04:00:00Z`)).json()) as { results: Array<{ eventTypeName: string }> };
  assert.deepEqual(filtered.results.map((e) => e.eventTypeName), ['NETWORK_PERMISSION_ENTRY_ADDED']);
  const org = (await (await get(`${v2}/orgs/${acmeOrg}/events?eventType=ORG_TWO_FACTOR_AUTH_OPTIONAL`)).json()) as { results: Array<{ orgId: string; username: string }> };
  assert.equal(org.results.length, 1);
  assert.equal(org.results[0]?.username, 'bob@acme.example');
  const groups = (await (await get(`${v2}/orgs/${acmeOrg}/groups`)).json()) as { results: Array<{ id: string }> };
  assert.deepEqual(groups.results.map((g) => g.id).sort(), [payments, analytics].sort());
});

test('posture endpoints reflect attacks by the simulated now', async () => {
  const users = (await (await get(`${v2}/groups/${payments}/databaseUsers`)).json()) as { results: Array<{ username: string; roles: Array<{ roleName: string; databaseName: string }> }> };
  const dba = users.results.find((u) => u.username === 'dba_ops');
  assert.ok(dba?.roles.some((r) => r.roleName === 'root' && r.databaseName === 'admin'));
  const list = (await (await get(`${v2}/groups/${payments}/accessList`)).json()) as { results: Array<{ cidrBlock: string; ipAddress?: string }> };
  assert.ok(list.results.some((e) => e.cidrBlock === '0.0.0.0/0'));
  assert.ok(list.results.some((e) => e.cidrBlock === '198.51.100.10/32' && e.ipAddress === '198.51.100.10'));
  const roles = (await (await get(`${v2}/groups/${payments}/customDBRoles/roles`)).json()) as unknown[];
  assert.ok(Array.isArray(roles) && roles.length === 1);
  assert.deepEqual(await (await get(`${v2}/groups/${analytics}/auditLog`)).json(), { auditAuthorizationSuccess: false, configurationType: 'NONE', enabled: true });
  sim.control.setNow(Date.parse('2025-03-03T03:40:00Z'));
  try {
    assert.equal(((await (await get(`${v2}/groups/${analytics}/auditLog`)).json()) as { enabled: boolean }).enabled, false);
    sim.control.setNow(Date.parse('2025-03-03T02:00:00Z'));
    const early = (await (await get(`${v2}/groups/${payments}/accessList`)).json()) as { results: Array<{ cidrBlock: string }> };
    assert.ok(!early.results.some((e) => e.cidrBlock === '0.0.0.0/0'));
  } finally {
    sim.control.setNow(smallNow);
  }
  const mw = (await (await get(`${v2}/groups/${payments}/maintenanceWindow`)).json()) as Record<string, unknown>;
  assert.equal(mw['dayOfWeek'], 7);
  const ear = (await (await get(`${v2}/groups/${payments}/encryptionAtRest`)).json()) as { awsKms: { enabled: boolean } };
  assert.equal(ear.awsKms.enabled, false);
});

test('pretty=true indents Jackson-style; envelope=true wraps the body with its status', async () => {
  const pretty = await (await get(`${v2}/groups/${payments}/auditLog?pretty=true`)).text();
  assert.equal(pretty, '{\n  "auditAuthorizationSuccess" : true,\n  "configurationType" : "NONE",\n  "enabled" : true\n}');
  const wrapped = await get(`${v2}/groups/${payments}/clusters/Nope?envelope=true`);
  assert.equal(wrapped.status, 200);
  const body = (await wrapped.json()) as { status: number; content: { errorCode: string } };
  assert.equal(body.status, 404);
  assert.equal(body.content.errorCode, 'CLUSTER_NOT_FOUND');
});

test('self links resolve: one process, event, database user and access-list entry; unknown ones are 404', async () => {
  const follow = async (href: string) => {
    const u = new URL(href);
    return get(`${u.pathname}${u.search}`);
  };
  for (const list of [`${v2}/groups/${payments}/processes`, `${v2}/groups/${payments}/events?itemsPerPage=3`, `${v2}/groups/${payments}/databaseUsers`, `${v2}/groups/${payments}/accessList`]) {
    const body = (await (await get(list)).json()) as { results: Array<Record<string, unknown> & { links: Array<{ href: string; rel: string }> }> };
    assert.ok(body.results.length > 0, list);
    for (const item of body.results) {
      const self = item.links.find((l) => l.rel === 'self')!;
      const res = await follow(self.href);
      assert.equal(res.status, 200, self.href);
      const one = (await res.json()) as Record<string, unknown>;
      const { links: _a, ...a } = item;
      const { links: _b, ...b } = one;
      assert.deepEqual(b, a, self.href);
    }
  }
  for (const [path, code] of [[`${v2}/groups/${payments}/events/aaaaaaaaaaaaaaaaaaaaaaaa`, 'EVENT_NOT_FOUND'], [`${v2}/groups/${payments}/databaseUsers/admin/ghost`, 'USERNAME_NOT_FOUND'], [`${v2}/groups/${payments}/processes/nohost:27017`, 'HOST_NOT_FOUND'], [`${v2}/groups/${payments}/accessList/10.0.0.0%2F8`, 'ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND']] as const) {
    const res = await get(path);
    assert.equal(res.status, 404, path);
    assert.equal(res.headers.get('x-error-code'), code);
    await res.arrayBuffer();
  }
});
