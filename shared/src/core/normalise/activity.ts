import type { AtlasEvent } from '../../schema/event.ts';
import { EVENT_MODULE, SCHEMA_VERSION } from '../../schema/event.ts';
import type { Result } from '../../result.ts';
import { fail, ok } from '../../result.ts';
import { computeEventId } from '../event-id.ts';
import { mapEventType } from '../event-type-map.ts';
import { parseIsoTimestamp } from '../timestamp.ts';
import type { NormaliseContext } from './context.ts';
import type { Json } from './fields.ts';
import { asNonEmpty, asObject, asPort, asString, cloudFields, describeError, isIp, unique } from './fields.ts';

/** The endpoint name in source coordinates for project and organisation events. */
export const EVENTS_ENDPOINT = 'events';

type Activity = NonNullable<AtlasEvent['atlas']['activity']>;

function activityDetails(doc: Json, id: string): Activity {
  const out: Activity = { id };
  const strings: [keyof Activity, string][] = [
    ['api_key_id', 'apiKeyId'],
    ['public_key', 'publicKey'],
    ['target_username', 'targetUsername'],
    ['db_user_username', 'dbUserUsername'],
    ['access_list_entry', 'whitelistEntry'],
    ['team_id', 'teamId'],
    ['cluster_name', 'clusterName'],
    ['hostname', 'hostname'],
    ['database', 'database'],
    ['collection', 'collection'],
    ['op_type', 'opType'],
  ];
  for (const [to, from] of strings) {
    const value = asString(doc[from]);
    if (value !== undefined) (out as Record<string, unknown>)[to] = value;
  }
  if (typeof doc['isGlobalAdmin'] === 'boolean') out.is_global_admin = doc['isGlobalAdmin'];
  const port = asPort(doc['port']);
  if (port !== undefined) out.port = port;
  const raw = asObject(doc['raw']);
  const description = asString(raw?.['description']);
  if (description !== undefined) out.description = description;
  const severity = asString(raw?.['severity']);
  if (severity !== undefined) out.severity = severity;
  return out;
}

function build(doc: Json, context: NormaliseContext): Result<AtlasEvent> {
  const id = asNonEmpty(doc['id']);
  if (id === undefined) return fail('event id missing');
  const eventTypeName = asNonEmpty(doc['eventTypeName']);
  if (eventTypeName === undefined) return fail('eventTypeName missing');
  const created = asString(doc['created']);
  if (created === undefined) return fail('created missing');
  const timestamp = parseIsoTimestamp(created);
  if (!timestamp.ok) return fail(`created: ${timestamp.reason}`);

  const mapping = mapEventType(eventTypeName);
  const project = asNonEmpty(doc['groupId']);
  const org = asNonEmpty(doc['orgId']);
  const username = asNonEmpty(doc['username']);
  const publicKey = asNonEmpty(doc['publicKey']);
  const actorId = asNonEmpty(doc['userId']) ?? asNonEmpty(doc['apiKeyId']);
  const targetName = asNonEmpty(doc['targetUsername']) ?? asNonEmpty(doc['dbUserUsername']) ?? asNonEmpty(doc['targetPublicKey']);
  const address = asNonEmpty(doc['remoteAddress']);
  const ip = address !== undefined && isIp(address) ? address : undefined;
  const cluster = asNonEmpty(doc['clusterName']);
  const host = asNonEmpty(doc['hostname']);

  const event: AtlasEvent['event'] = {
    // Atlas event ids are global: the same event seen through the project and the org feed gets one id.
    id: computeEventId({ endpoint: EVENTS_ENDPOINT }, id, 0),
    kind: 'event',
    category: [...mapping.category],
    type: [...mapping.type],
    action: eventTypeName,
    outcome: mapping.outcome,
    dataset: 'atlas.activity',
    module: EVENT_MODULE,
  };
  const out: AtlasEvent = {
    schema_version: SCHEMA_VERSION,
    '@timestamp': timestamp.value,
    event,
    cloud: cloudFields(context, project, org),
    related: { ip: unique([ip]), user: unique([username ?? publicKey, targetName]) },
    atlas: { event_type: eventTypeName, activity: activityDetails(doc, id), raw_timestamp: created, source_coordinates: { occurrence: 0 } },
  };
  const actorName = username ?? publicKey;
  if (actorName !== undefined || targetName !== undefined) {
    const user: NonNullable<AtlasEvent['user']> = { name: actorName ?? '', domain: 'atlas' };
    if (actorId !== undefined) user.id = actorId;
    if (username !== undefined && username.includes('@')) user.email = username;
    if (targetName !== undefined) user.target = asNonEmpty(doc['dbUserUsername']) === targetName ? { name: targetName } : { name: targetName, domain: 'atlas' };
    out.user = user;
  }
  if (ip !== undefined) out.source = { ip };
  else if (address !== undefined) out.source = { address };
  if (host !== undefined) out.host = { name: host };
  if (cluster !== undefined) out.service = { name: cluster, type: 'mongodb' };
  const coordinates: AtlasEvent['atlas']['source_coordinates'] = { occurrence: 0, endpoint: EVENTS_ENDPOINT };
  if (project !== undefined) coordinates.project = project;
  else if (context.project !== undefined && context.project.length > 0) coordinates.project = context.project;
  if (org !== undefined) coordinates.org = org;
  else if (context.org !== undefined && context.org.length > 0) coordinates.org = context.org;
  out.atlas.source_coordinates = coordinates;
  return ok(out);
}

/**
 * Normalises one project or organisation activity event (an element of `results`). The id
 * derives from Atlas's own event id, so paging twice or reading both feeds yields one id.
 * Unknown event type names still give a valid event. Never throws.
 */
export function normaliseActivityEvent(doc: unknown, context: NormaliseContext): Result<AtlasEvent> {
  try {
    const obj = asObject(doc);
    if (obj === undefined) return fail('activity event is not an object');
    return build(obj, context);
  } catch (err) {
    return fail(`internal: ${describeError(err)}`);
  }
}
