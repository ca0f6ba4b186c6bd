import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MongoClient } from 'mongodb';
import { createOccurrenceCounter } from '@atlas-audit/shared/core/event-id';
import { createAuditNormaliser } from '@atlas-audit/shared/core/normalise/audit';
import { accessEntryRawKey, normaliseAccessEntry } from '@atlas-audit/shared/core/normalise/access';
import { normaliseActivityEvent } from '@atlas-audit/shared/core/normalise/activity';
import { createConsumer, type IncomingMessage } from '@atlas-audit/shared/kafka';
import { linesForWindow, lineBytes, visitWindow, linesForHostChunk, type LateLines } from '@atlas-audit/atlas-sim/core/host-chunk';
import type { RequestRecord } from '@atlas-audit/atlas-sim/state';
import type { LogName } from '@atlas-audit/atlas-sim/core/world';
import { accessHistory } from '@atlas-audit/atlas-sim/core/access-history';
import { orgEvents, projectEvents } from '@atlas-audit/atlas-sim/core/events';
import type { World } from '@atlas-audit/atlas-sim/core/world';
import { endpoints, uniqueSuffix } from '@atlas-audit/test/env';

/**
 * Support for the ingest integration tests: what the simulator's world serves (computed with
 * the simulator's pure core and the shared normalisers), the ingest worker as a child process,
 * reading a topic to the end, and the checkpoint mirror in MongoDB.
 */

export const NODE = process.execPath;
export const INGEST_MAIN = fileURLToPath(new URL('../../services/ingest/src/main.ts', import.meta.url));

export type Expected = { events: Set<string>; invalidLines: number; byKind: Record<string, number> };

/**
 * Restricts `expectedServed`: `projects` keeps only those projects (and drops org feeds);
 * `host` keeps only that host's audit lines (no access history or activity events).
 */
export type ServedFilter = { projects?: readonly string[]; host?: string };

/** Every event id the world serves in [startMs, endMs) once everything is published, and the invalid line count. */
export function expectedServed(world: World, startMs: number, endMs: number, late: LateLines | undefined, only: ServedFilter = {}): Expected {
  const events = new Set<string>();
  const byKind: Record<string, number> = { audit: 0, access: 0, activity: 0 };
  let invalidLines = 0;
  // Late enough for every chunk and late line to be published, inside access history's 7-day retention.
  const farFuture = endMs + 86_400_000;
  const filtered = only.projects !== undefined || only.host !== undefined;
  for (const project of world.projects) {
    if (only.projects !== undefined && !only.projects.includes(project.id)) continue;
    for (const process of project.processes) {
      if (only.host !== undefined && process.hostname !== only.host) continue;
      const logName = process.kind === 'mongos' ? 'mongos-audit-log' : 'mongodb-audit-log';
      const normalise = createAuditNormaliser({ project: project.id, host: process.hostname, logName });
      const counter = createOccurrenceCounter();
      for (const line of linesForWindow(world, project.id, process.hostname, logName, startMs, endMs, farFuture, late)) {
        const bytes = lineBytes(line);
        const result = normalise(bytes, counter.next(bytes));
        if (result.ok) {
          if (!events.has(result.value.event.id)) byKind['audit'] = (byKind['audit'] ?? 0) + 1;
          events.add(result.value.event.id);
        } else invalidLines += 1;
      }
    }
    if (only.host !== undefined) continue;
    for (const cluster of project.clusters) {
      const counter = createOccurrenceCounter();
      const entries = accessHistory(world, project, cluster.processes, { startMs, endMs, nLogs: Number.MAX_SAFE_INTEGER }, farFuture);
      for (const entry of entries) {
        const result = normaliseAccessEntry(entry, counter.next(accessEntryRawKey(entry)), { project: project.id, cluster: cluster.name });
        if (result.ok) {
          events.add(result.value.event.id);
          byKind['access'] = (byKind['access'] ?? 0) + 1;
        }
      }
    }
    for (const doc of projectEvents(world, project, startMs, endMs)) {
      const result = normaliseActivityEvent(doc, { project: project.id });
      if (result.ok) {
        events.add(result.value.event.id);
        byKind['activity'] = (byKind['activity'] ?? 0) + 1;
      }
    }
  }
  for (const org of filtered ? [] : world.orgs) {
    for (const doc of orgEvents(world, org, startMs, endMs)) {
      const result = normaliseActivityEvent(doc, { org: org.id });
      if (result.ok) {
        events.add(result.value.event.id);
        byKind['activity'] = (byKind['activity'] ?? 0) + 1;
      }
    }
  }
  return { events, invalidLines, byKind };
}

export type IngestProcess = { child: ChildProcess; exited: Promise<number | null> };

/** Spawns `node services/ingest/src/main.ts` with `env` (plus the stack endpoints); output goes to `logFile`. */
export function spawnIngest(env: Record<string, string>, logFile: string): IngestProcess {
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(NODE, [INGEST_MAIN], {
    env: { PATH: process.env['PATH'] ?? '', KAFKA_BROKERS: endpoints.kafkaBrokers.join(','), MONGODB_URI: endpoints.mongodbUri, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited };
}

/**
 * Consumes a topic from the beginning (read_committed) into an array until closed: each record
 * once, by partition and offset, so a batch the reader itself reads again (its group member
 * rejoined) is not counted as a record written twice.
 */
export async function collectTopic(topic: string): Promise<{ messages: IncomingMessage[]; close: () => Promise<void> }> {
  const messages: IncomingMessage[] = [];
  const seen = new Set<string>();
  const consumer = await createConsumer({ brokers: [...endpoints.kafkaBrokers], clientId: 'it-ingest-reader', ssl: false }, `it-ingest-reader-${uniqueSuffix()}`, { maxBytesPerPartition: 8 * 1024 * 1024 });
  await consumer.subscribe([topic], true);
  void consumer.run({
    eachBatch: async ({ messages: batch }) => {
      for (const m of batch) {
        const at = `${m.partition}:${m.offset}`;
        if (seen.has(at)) continue;
        seen.add(at);
        messages.push(m);
      }
    },
  });
  return { messages, close: () => consumer.close() };
}

/** The cursor (ms) of every checkpoint in the MongoDB mirror, by key. */
export async function mirroredCursors(client: MongoClient, database: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const doc of client.db(database).collection('ingest_checkpoints').find({}, { projection: { key: 1, cursorMs: 1 } })) out.set(String(doc['key']), Number(doc['cursorMs']));
  return out;
}

/**
 * The first log download that withheld late lines (lines of a published chunk not yet visible),
 * proving a test exercised late arrival; undefined when none did.
 */
export function firstRequestWithheldLateLines(world: World, requests: readonly RequestRecord[], late: LateLines): { path: string; withheld: number } | undefined {
  for (const r of requests) {
    if (r.endpoint !== 'logs' || r.status !== 200 || r.window === undefined || r.groupId === undefined || r.host === undefined || r.window.endMs < late.sinceMs) continue;
    let all = 0;
    let visible = 0;
    visitWindow(world, r.groupId, r.host, (r.logName ?? 'mongodb-audit-log') as LogName, r.window.startMs, r.window.endMs, r.simMs, undefined, linesForHostChunk, () => (all += 1));
    visitWindow(world, r.groupId, r.host, (r.logName ?? 'mongodb-audit-log') as LogName, r.window.startMs, r.window.endMs, r.simMs, late, linesForHostChunk, () => (visible += 1));
    if (all > visible) return { path: r.path, withheld: all - visible };
  }
  return undefined;
}
