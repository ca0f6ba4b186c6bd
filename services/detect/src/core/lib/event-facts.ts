import type { AtlasEvent } from '@atlas-audit/shared/schema/event';

/** Small, allocation-free readers of facts rules share. */

/** The IP of the client, if any. */
export function sourceIpOf(event: AtlasEvent): string | undefined {
  return event.source?.ip;
}

/** True for a successful authentication (access history, audit `authenticate`, Atlas UI/API login). */
export function isSuccessfulAuth(event: AtlasEvent): boolean {
  if (event.event.outcome !== 'success') return false;
  const ds = event.event.dataset;
  if (ds === 'atlas.access') return true;
  if (ds === 'atlas.audit') return event.event.action === 'authenticate';
  return ds === 'atlas.activity' && event.event.action === 'SUCCESSFUL_LOGIN_AUDIT';
}

/** True for a failed authentication attempt. */
export function isFailedAuth(event: AtlasEvent): boolean {
  const ds = event.event.dataset;
  if (ds === 'atlas.access') return event.event.outcome === 'failure';
  if (ds === 'atlas.audit') return event.event.action === 'authenticate' && event.event.outcome === 'failure';
  return ds === 'atlas.activity' && (event.event.action === 'UNSUCCESSFUL_LOGIN_AUDIT' || event.event.action === 'ACCOUNT_LOCKED_AUDIT');
}

/** The acting principal's roles as `role@db` (ECS user.roles, else the audit connection roles). */
export function actorRolesOf(event: AtlasEvent): readonly string[] {
  return event.user?.roles ?? event.atlas.roles ?? [];
}

/** A string field of `atlas.param`. */
export function paramString(event: AtlasEvent, key: string): string | undefined {
  const v = event.atlas.param?.[key];
  return typeof v === 'string' ? v : undefined;
}

/** ISO date (YYYY-MM-DD) of an epoch ms. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** ISO timestamp with milliseconds of an epoch ms. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;
