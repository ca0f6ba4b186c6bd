import type { SanitisePolicy } from '../sanitise.ts';

/**
 * Where records come from and how to treat them. Coordinates feed `event.id`, `cloud.*`,
 * `host.name` and `service.name`; time never comes from here.
 */
export type NormaliseContext = {
  /** Atlas project (group) id. */
  project?: string | undefined;
  /** Atlas organisation id. */
  org?: string | undefined;
  /** Atlas process host name (audit logs). */
  host?: string | undefined;
  /** Cluster name, for `service.name`. */
  cluster?: string | undefined;
  /** Audit log name: mongodb-audit-log or mongos-audit-log. */
  logName?: string | undefined;
  region?: string | undefined;
  /** Param sanitisation; defaults to defaultSanitisePolicy. */
  sanitise?: SanitisePolicy | undefined;
};
