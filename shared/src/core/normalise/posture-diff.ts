import type { AtlasEvent, DiffKind } from '../../schema/event.ts';
import type { Result } from '../../result.ts';
import { fail, ok } from '../../result.ts';
import { canonicalJson } from '../canonical-json.ts';
import { parseIsoTimestamp } from '../timestamp.ts';
import type { NormaliseContext } from './context.ts';
import { describeError } from './fields.ts';
import { diffTypes, isEnabled, postureEvent } from './posture.ts';
import type { PostureResource, PostureSnapshot } from './posture-resources.ts';
import { extractPostureResources, snapshotKinds } from './posture-resources.ts';

function changedFields(before: PostureResource, after: PostureResource): string[] {
  const keys = [...new Set([...Object.keys(before.state), ...Object.keys(after.state)])].sort();
  return keys.filter((key) => canonicalJson(before.state[key]) !== canonicalJson(after.state[key]));
}

/** The action name of a change: specific for the changes detections care about most. */
function changeAction(before: PostureResource, after: PostureResource, fields: string[]): string {
  if (after.kind === 'database_user' && fields.includes('roles')) return 'database_user_roles_changed';
  if (after.kind === 'audit_log' && fields.includes('enabled')) {
    const enabled = isEnabled(after.state);
    if (enabled === false && isEnabled(before.state) !== false) return 'audit_log_disabled';
    if (enabled === true) return 'audit_log_enabled';
  }
  return `${after.kind}_changed`;
}

/**
 * Compares two posture snapshots of one project and returns a change event for every resource
 * added, removed or changed (database users, their roles, custom roles, access-list entries,
 * audit config, maintenance window, encryption at rest). Only kinds present in both snapshots
 * are compared. Events carry the later snapshot's time; the same pair always gives the same
 * events, in a deterministic order. Never throws.
 */
export function diffSnapshots(previous: PostureSnapshot, next: PostureSnapshot, context: NormaliseContext): Result<AtlasEvent>[] {
  try {
    const prevTime = parseIsoTimestamp(previous.takenAt);
    const nextTime = parseIsoTimestamp(next.takenAt);
    if (!prevTime.ok) return [fail(`previous takenAt: ${prevTime.reason}`)];
    if (!nextTime.ok) return [fail(`next takenAt: ${nextTime.reason}`)];
    const prevKinds = snapshotKinds(previous);
    const kinds = [...snapshotKinds(next)].filter((kind) => prevKinds.has(kind));
    const before = new Map(extractPostureResources(previous).resources.filter((r) => kinds.includes(r.kind)).map((r) => [`${r.kind}\n${r.resource}`, r]));
    const after = new Map(extractPostureResources(next).resources.filter((r) => kinds.includes(r.kind)).map((r) => [`${r.kind}\n${r.resource}`, r]));
    const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
    const out: Result<AtlasEvent>[] = [];
    for (const key of keys) {
      const old = before.get(key);
      const now = after.get(key);
      let diffKind: DiffKind;
      let fields: string[] | undefined;
      if (old === undefined) diffKind = 'added';
      else if (now === undefined) diffKind = 'removed';
      else {
        fields = changedFields(old, now);
        if (fields.length === 0) continue;
        diffKind = 'changed';
      }
      const resource = (now ?? old) as PostureResource;
      const action = diffKind === 'changed' && old !== undefined && now !== undefined ? changeAction(old, now, fields ?? []) : `${resource.kind}_${diffKind}`;
      const diff: NonNullable<AtlasEvent['atlas']['diff']> = { kind: diffKind, resource_type: resource.kind, resource: resource.resource, previous_timestamp: prevTime.value };
      if (old !== undefined) diff.before = old.state;
      if (now !== undefined) diff.after = now.state;
      if (fields !== undefined) diff.changed_fields = fields;
      const raw = `diff\n${resource.kind}\n${resource.resource}\n${diffKind}\n${prevTime.value}\n${nextTime.value}`;
      out.push(ok(postureEvent({ resource, timestamp: nextTime.value, context, raw, kind: 'event', action, type: diffTypes[diffKind], diff })));
    }
    return out;
  } catch (err) {
    return [fail(`internal: ${describeError(err)}`)];
  }
}
