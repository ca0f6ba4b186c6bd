import type { AtlasEvent, DiffKind, EventCategory, EventType, PostureKind } from '../../schema/event.ts';
import { EVENT_MODULE, SCHEMA_VERSION } from '../../schema/event.ts';
import type { JsonObject } from '../../schema/json-value.ts';
import type { Result } from '../../result.ts';
import { fail, ok } from '../../result.ts';
import { canonicalJson } from '../canonical-json.ts';
import { computeEventId } from '../event-id.ts';
import { parseIsoTimestamp } from '../timestamp.ts';
import type { NormaliseContext } from './context.ts';
import { asNonEmpty, asString, cloudFields, describeError, formatNamed, isIp, unique } from './fields.ts';
import type { PostureResource, PostureSnapshot } from './posture-resources.ts';
import { extractPostureResources, postureEndpoints } from './posture-resources.ts';

const diffTypes: Record<DiffKind, EventType> = { added: 'creation', removed: 'deletion', changed: 'change' };

function ecs(kind: PostureKind, type: EventType): { category: EventCategory[]; type: EventType[] } {
  switch (kind) {
    case 'database_user':
      return { category: ['iam'], type: ['user', type] };
    case 'custom_role':
      return { category: ['iam'], type: ['group', type] };
    case 'access_list_entry':
      return { category: ['configuration', 'network'], type: [type] };
    default:
      return { category: ['configuration'], type: [type] };
  }
}

/** Subject fields (user, group, related) of a posture resource. */
function subject(resource: PostureResource, out: AtlasEvent, asTarget: boolean): void {
  const state = resource.state;
  if (resource.kind === 'database_user') {
    const name = asString(state['username']) ?? resource.resource;
    const domain = asString(state['databaseName']);
    const roles = formatNamed(
      Array.isArray(state['roles']) ? state['roles'].map((r) => (typeof r === 'object' && r !== null && !Array.isArray(r) ? { role: r['roleName'], db: r['databaseName'] } : r)) : [],
      'role',
    );
    const who = { name, ...(domain === undefined ? {} : { domain }), roles };
    out.user = asTarget ? { name: '', target: who } : who;
    out.related.user = unique([name]);
  } else if (resource.kind === 'custom_role') {
    out.group = { name: resource.resource };
  } else if (resource.kind === 'access_list_entry') {
    const ip = asNonEmpty(state['ipAddress']);
    out.related.ip = unique([ip !== undefined && isIp(ip) ? ip : undefined]);
  }
}

/** Builds one posture event (state or diff) around a resource. */
export function postureEvent(params: {
  resource: PostureResource;
  timestamp: string;
  context: NormaliseContext;
  raw: string;
  kind: 'state' | 'event';
  action: string;
  type: EventType;
  diff?: NonNullable<AtlasEvent['atlas']['diff']>;
}): AtlasEvent {
  const { resource, context } = params;
  const endpoint = postureEndpoints[resource.kind];
  const mapping = ecs(resource.kind, params.type);
  const out: AtlasEvent = {
    schema_version: SCHEMA_VERSION,
    '@timestamp': params.timestamp,
    event: {
      id: computeEventId({ project: asNonEmpty(context.project), endpoint }, params.raw, 0),
      kind: params.kind,
      category: mapping.category,
      type: mapping.type,
      action: params.action,
      outcome: params.kind === 'state' ? 'unknown' : 'success',
      dataset: 'atlas.posture',
      module: EVENT_MODULE,
    },
    cloud: cloudFields(context),
    related: { ip: [], user: [] },
    atlas: { source_coordinates: { occurrence: 0, endpoint } },
  };
  if (context.project !== undefined && context.project.length > 0) out.atlas.source_coordinates.project = context.project;
  subject(resource, out, params.kind === 'event');
  if (params.diff === undefined) out.atlas.snapshot = { kind: resource.kind, resource: resource.resource, state: resource.state };
  else out.atlas.diff = params.diff;
  return out;
}

/** A raw identity string for a posture state event. */
function stateRaw(resource: PostureResource, takenAt: string): string {
  return `state\n${resource.kind}\n${resource.resource}\n${takenAt}\n${canonicalJson(resource.state)}`;
}

/** True when `state` says the audit log is enabled. */
export function isEnabled(state: JsonObject | undefined): boolean | undefined {
  const value = state?.['enabled'];
  return typeof value === 'boolean' ? value : undefined;
}

/**
 * Turns a posture snapshot into one `event.kind='state'` event per resource (database user,
 * custom role, access-list entry, audit config, maintenance window, encryption at rest), and a
 * reason per unusable item. Same snapshot, same events. Never throws.
 */
export function normalisePostureSnapshot(snapshot: PostureSnapshot, context: NormaliseContext): Result<AtlasEvent>[] {
  try {
    const timestamp = parseIsoTimestamp(snapshot.takenAt);
    if (!timestamp.ok) return [fail(`takenAt: ${timestamp.reason}`)];
    const { resources, reasons } = extractPostureResources(snapshot);
    const events: Result<AtlasEvent>[] = resources.map((resource) =>
      ok(postureEvent({ resource, timestamp: timestamp.value, context, raw: stateRaw(resource, timestamp.value), kind: 'state', action: `${resource.kind}_snapshot`, type: 'info' })),
    );
    return [...events, ...reasons.map((reason) => fail<AtlasEvent>(reason))];
  } catch (err) {
    return [fail(`internal: ${describeError(err)}`)];
  }
}

export { diffTypes };
