// Generation speed of the simulator's pure core: every audit line of 3 projects × 3 hosts over
// the scenario's history, rendered (and, separately, gzip-compressed as a download would be).
// Run: node services/atlas-sim/bench/generate.bench.ts [hours]
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chunkMs } from '../src/core/chunks.ts';
import { encodeLines, linesForHostChunk } from '../src/core/host-chunk.ts';
import { parseScenario } from '../src/core/scenario.ts';
import { buildWorld } from '../src/core/world.ts';

const hours = Number(process.argv[2] ?? 6);
const parsed = parseScenario(readFileSync(fileURLToPath(new URL('../scenarios/load-3x3.yaml', import.meta.url)), 'utf8'));
if (!parsed.ok) throw new Error(parsed.reason);
const world = buildWorld(parsed.value);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let lines = 0;
let bytes = 0;
const sample: Uint8Array[] = [];
for (const project of world.projects) {
  for (const process of project.processes) {
    for (let c = world.startMs; c < world.startMs + hours * 3600000; c += chunkMs) {
      const chunk = linesForHostChunk(world, project.id, process.hostname, 'mongodb-audit-log', c);
      lines += chunk.length;
      const body = encodeLines(chunk);
      bytes += body.length;
      if (sample.length < 40) sample.push(body);
    }
  }
}
const genMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const t1 = performance.now();
const raw = Buffer.concat(sample);
const gz = gzipSync(raw, { level: 6 });
const gzMs = performance.now() - t1;
console.log(JSON.stringify({ hours, lines, megabytes: +(bytes / 1e6).toFixed(1), generateMs: Math.round(genMs), generateCpuMs: Math.round((cpu.user + cpu.system) / 1000), linesPerSecond: Math.round(lines / (genMs / 1000)), gzipSampleMegabytes: +(raw.length / 1e6).toFixed(1), gzipSampleMs: Math.round(gzMs), gzipRatio: +(raw.length / gz.length).toFixed(1) }));
