// Serving speed over HTTP: polls every host of load-3x3.yaml through the first 6 hours with
// 15-minute windows every 10 minutes (5 minutes of overlap), as an ingest worker would, and
// prints requests, lines served (with duplicates), distinct lines, bytes and time.
// Run: node services/atlas-sim/bench/serve.bench.ts [hours] [concurrency]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { servedLines } from '../src/served.ts';
import { startAtlasSim } from '../src/server.ts';

const hours = Number(process.argv[2] ?? 6);
const concurrency = Number(process.argv[3] ?? 4);
const yaml = readFileSync(fileURLToPath(new URL('../scenarios/load-3x3.yaml', import.meta.url)), 'utf8');
const start = Date.parse('2025-03-03T00:00:00Z');
const sim = await startAtlasSim({ scenario: yaml, serviceAccounts: { bench: 'secret' }, clock: { mode: 'offset', startAt: start + hours * 3600000 + 600000, speed: 0 }, rateLimits: { logs: null } });
const token = ((await (await fetch(`${sim.url}/api/oauth/token`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('bench:secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' })).json()) as { access_token: string }).access_token;
const headers = { authorization: `Bearer ${token}`, accept: 'application/vnd.atlas.2023-02-01+gzip' };
const jobs: string[] = [];
for (const project of sim.control.world.projects) {
  for (const process of project.processes) {
    for (let t = start; t < start + hours * 3600000; t += 600000) {
      jobs.push(`${sim.url}/api/atlas/v2/groups/${project.id}/clusters/${process.hostname}/logs/mongodb-audit-log.gz?startDate=${t / 1000}&endDate=${(t + 900000) / 1000}`);
    }
  }
}
let lines = 0;
let gzBytes = 0;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let next = 0;
await Promise.all(Array.from({ length: concurrency }, async () => {
  while (next < jobs.length) {
    const url = jobs[next++]!;
    const res = await fetch(url, { headers });
    const body = Buffer.from(await res.arrayBuffer());
    gzBytes += body.length;
    if (body.length > 0) lines += gunzipSync(body).toString('latin1').split('\n').length - 1;
  }
}));
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const distinct = servedLines(sim.control.world, sim.control.requests()).size;
await sim.close();
console.log(JSON.stringify({ hours, requests: jobs.length, linesServed: lines, distinctLines: distinct, gzipMegabytes: +(gzBytes / 1e6).toFixed(1), ms: Math.round(ms), cpuMsServerAndClient: Math.round((cpu.user + cpu.system) / 1000), linesPerSecond: Math.round(lines / (ms / 1000)) }));
