import { createHash } from 'node:crypto';
import { accessHistory } from '@atlas-audit/atlas-sim/core/access-history';
import { orgEvents, projectEvents } from '@atlas-audit/atlas-sim/core/events';
import { lineBytes, linesForWindow } from '@atlas-audit/atlas-sim/core/host-chunk';
import { accessListAt, auditConfigAt, customRolesOf, databaseUsersAt, encryptionAtRestOf, maintenanceWindowOf } from '@atlas-audit/atlas-sim/core/posture';
import { parseScenario } from '@atlas-audit/atlas-sim/core/scenario';
import { buildWorld, type Project, type World } from '@atlas-audit/atlas-sim/core/world';
import { compileConfig } from '@atlas-audit/detect/core/config/compile';
import { defaultRulesConfig } from '@atlas-audit/detect/core/config/load';
import { createEngine } from '@atlas-audit/detect/core/engine';
import { createMemoryState } from '@atlas-audit/detect/core/state/memory';
import { createOccurrenceCounter } from '@atlas-audit/shared/core/event-id';
import { accessEntryRawKey, normaliseAccessEntry } from '@atlas-audit/shared/core/normalise/access';
import { normaliseActivityEvent } from '@atlas-audit/shared/core/normalise/activity';
import { createAuditNormaliser } from '@atlas-audit/shared/core/normalise/audit';
import { normalisePostureSnapshot } from '@atlas-audit/shared/core/normalise/posture';
import { diffSnapshots } from '@atlas-audit/shared/core/normalise/posture-diff';
import type { PostureSnapshot } from '@atlas-audit/shared/core/normalise/posture-resources';
import type { Alert } from '@atlas-audit/shared/schema/alert';
import type { DlqRecord } from '@atlas-audit/shared/schema/dlq';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { Result } from '@atlas-audit/shared/result';

/**
 * A simulator scenario as the pipeline would store it: for each time window, what the Atlas
 * simulator serves (audit log lines per host, access history per cluster, project and
 * organisation events, posture at the window's edges) run through the project's normalisers;
 * records a normaliser rejects become dead letters; the detection engine (default rules, in-memory
 * state) runs over the events in time order and yields the alerts. Pure.
 */
export type ScenarioData = { events: AtlasEvent[]; alerts: Alert[]; dlq: DlqRecord[]; fromMs: number; toMs: number };

export type Window = { startMs: number; endMs: number };

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function deadLetter(raw: Uint8Array, reason: string, origin: DlqRecord['origin'], nowMs: number): DlqRecord {
  const bytes = Buffer.from(raw);
  return { schema_version: '1', id: createHash('sha256').update(JSON.stringify(origin)).update(bytes).digest('hex'), raw: bytes.toString('base64'), reason, origin, timestamp: iso(nowMs) };
}

function snapshot(world: World, project: Project, ms: number): PostureSnapshot {
  return {
    takenAt: iso(ms),
    databaseUsers: { results: databaseUsersAt(world, project, ms) },
    customDBRoles: customRolesOf(project),
    accessList: { results: accessListAt(world, project, ms) },
    auditLog: auditConfigAt(world, project, ms),
    maintenanceWindow: maintenanceWindowOf(project),
    encryptionAtRest: encryptionAtRestOf(project),
  };
}

function windowEvents(world: World, project: Project, w: Window, events: AtlasEvent[], dlq: DlqRecord[]): void {
  const published = w.endMs + 86_400_000;
  const keep = (r: Result<AtlasEvent>, raw: Uint8Array, origin: DlqRecord['origin']): void => {
    if (r.ok) events.push(r.value);
    else dlq.push(deadLetter(raw, r.reason, origin, w.endMs));
  };
  for (const process of project.processes) {
    const logName = process.kind === 'mongos' ? 'mongos-audit-log' : 'mongodb-audit-log';
    const cluster = project.clusters.find((c) => c.processes.includes(process))?.name;
    const normalise = createAuditNormaliser({ project: project.id, org: project.orgId, host: process.hostname, cluster, logName });
    const counter = createOccurrenceCounter();
    for (const line of linesForWindow(world, project.id, process.hostname, logName, w.startMs, w.endMs, published)) {
      const bytes = lineBytes(line);
      keep(normalise(bytes, counter.next(bytes)), bytes, { source: 'atlas.audit', project: project.id, host: process.hostname, logName, window: { start: iso(w.startMs), end: iso(w.endMs) } });
    }
  }
  for (const cluster of project.clusters) {
    const counter = createOccurrenceCounter();
    for (const entry of accessHistory(world, project, cluster.processes, { startMs: w.startMs, endMs: w.endMs, nLogs: Number.MAX_SAFE_INTEGER }, published)) {
      const raw = Buffer.from(JSON.stringify(entry));
      keep(normaliseAccessEntry(entry, counter.next(accessEntryRawKey(entry)), { project: project.id, org: project.orgId, cluster: cluster.name }), raw, { source: 'atlas.access', project: project.id, endpoint: 'dbAccessHistory' });
    }
  }
  for (const doc of projectEvents(world, project, w.startMs, w.endMs)) {
    keep(normaliseActivityEvent(doc, { project: project.id, org: project.orgId }), Buffer.from(JSON.stringify(doc)), { source: 'atlas.activity', project: project.id, endpoint: 'events' });
  }
}

/** Builds the scenario's stored data over `windows` (offsets from the scenario start, in ms); `nowMs` resolves relative starts such as `now-7d`. */
export function scenarioData(yamlText: string, windows: readonly Window[], nowMs: number): Result<ScenarioData> {
  const scenario = parseScenario(yamlText, nowMs);
  if (!scenario.ok) return scenario;
  const world = buildWorld(scenario.value);
  const events: AtlasEvent[] = [];
  const dlq: DlqRecord[] = [];
  const absolute = windows.map((w) => ({ startMs: world.startMs + w.startMs, endMs: world.startMs + w.endMs }));
  for (const project of world.projects) {
    let previous: PostureSnapshot | undefined;
    for (const w of absolute) {
      windowEvents(world, project, w, events, dlq);
      for (const ms of [w.startMs, w.endMs]) {
        const next = snapshot(world, project, ms);
        const context = { project: project.id, org: project.orgId };
        for (const r of normalisePostureSnapshot(next, context)) if (r.ok) events.push(r.value);
        if (previous) for (const r of diffSnapshots(previous, next, context)) if (r.ok) events.push(r.value);
        previous = next;
      }
    }
  }
  for (const org of world.orgs) {
    for (const w of absolute) for (const doc of orgEvents(world, org, w.startMs, w.endMs)) {
      const r = normaliseActivityEvent(doc, { org: org.id });
      if (r.ok) events.push(r.value);
    }
  }
  const unique = new Map<string, AtlasEvent>();
  for (const e of events) unique.set(e.event.id, e);
  const ordered = [...unique.values()].sort((a, b) => (a['@timestamp'] < b['@timestamp'] ? -1 : a['@timestamp'] > b['@timestamp'] ? 1 : 0));
  const engine = createEngine(compileConfig(defaultRulesConfig()), createMemoryState());
  const alerts = new Map<string, Alert>();
  for (const e of ordered) for (const alert of engine.evaluate(e)) alerts.set(alert.event.id, alert);
  return { ok: true, value: { events: ordered, alerts: [...alerts.values()], dlq, fromMs: Math.min(...absolute.map((w) => w.startMs)), toMs: Math.max(...absolute.map((w) => w.endMs)) } };
}
