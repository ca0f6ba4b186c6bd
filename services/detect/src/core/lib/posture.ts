import type { AtlasEvent, PostureKind } from '@atlas-audit/shared/schema/event';
import type { JsonObject, JsonValue } from '@atlas-audit/shared/schema/json-value';

/** A posture observation: the resource's state now (snapshot, or the `after` of a diff), or its removal. */
export type PostureObservation = {
  kind: PostureKind;
  resource: string;
  /** 'state' for a snapshot, else the diff kind. */
  change: 'state' | 'added' | 'changed' | 'removed';
  state: JsonObject | undefined;
  before: JsonObject | undefined;
};

function asObject(v: JsonValue | undefined): JsonObject | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;
}

/** Reads the posture snapshot or diff of an `atlas.posture` event; undefined for other events. */
export function postureOf(event: AtlasEvent): PostureObservation | undefined {
  const snap = event.atlas.snapshot;
  if (snap !== undefined) return { kind: snap.kind, resource: snap.resource, change: 'state', state: snap.state, before: undefined };
  const diff = event.atlas.diff;
  if (diff !== undefined) {
    return { kind: diff.resource_type, resource: diff.resource, change: diff.kind, state: diff.kind === 'removed' ? undefined : asObject(diff.after), before: asObject(diff.before) };
  }
  return undefined;
}

/** A string field of a JSON object. */
export function str(obj: JsonObject | undefined, key: string): string | undefined {
  const v = obj?.[key];
  return typeof v === 'string' ? v : undefined;
}

/** A boolean field of a JSON object. */
export function bool(obj: JsonObject | undefined, key: string): boolean | undefined {
  const v = obj?.[key];
  return typeof v === 'boolean' ? v : undefined;
}
