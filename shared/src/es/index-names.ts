/**
 * Index naming. Every name carries a namespace (`default` in production; tests use a random
 * one), following Elastic's `<type>-<dataset>-<namespace>` convention:
 *
 *   events  atlas-audit-events-<ns>-YYYY.MM.DD   daily by the event's own @timestamp (UTC)
 *   dlq     atlas-audit-dlq-<ns>-YYYY.MM.DD      daily by the dead-letter record's timestamp
 *   alerts  logs-atlas_audit.alerts-<ns>         one index; matches Elastic Security's `logs-*`
 *
 * The daily index is a pure function of the document, so a replay lands in the same index
 * and `op_type: create` turns the duplicate into a 409.
 */

export const DEFAULT_NAMESPACE = 'default';

export type IndexLayout = {
  namespace: string;
  eventsPrefix: string;
  eventsPattern: string;
  eventsAlias: string;
  dlqPrefix: string;
  dlqPattern: string;
  dlqAlias: string;
  alertsIndex: string;
  alertsPattern: string;
  alertsAlias: string;
  /** Prefix of every component and index template name of this namespace. */
  templatePrefix: string;
};

/** The index names of one namespace (lower-case letters, digits and `_` only). */
export function indexLayout(namespace: string = DEFAULT_NAMESPACE): IndexLayout {
  if (!/^[a-z0-9_]{1,40}$/.test(namespace)) throw new Error(`invalid index namespace '${namespace}': use [a-z0-9_]{1,40}`);
  const eventsPrefix = `atlas-audit-events-${namespace}`;
  const dlqPrefix = `atlas-audit-dlq-${namespace}`;
  const alertsIndex = `logs-atlas_audit.alerts-${namespace}`;
  return {
    namespace,
    eventsPrefix,
    eventsPattern: `${eventsPrefix}-*`,
    eventsAlias: `atlas-audit-events.${namespace}`,
    dlqPrefix,
    dlqPattern: `${dlqPrefix}-*`,
    dlqAlias: `atlas-audit-dlq.${namespace}`,
    alertsIndex,
    // The template pattern ends in `*` so it also covers a future rollover of the alerts index.
    alertsPattern: `${alertsIndex}*`,
    alertsAlias: `atlas-audit-alerts.${namespace}`,
    templatePrefix: `atlas-audit-${namespace}`,
  };
}

/** `YYYY.MM.DD` of an ISO timestamp in UTC, or undefined when it does not parse. */
export function dayOf(isoTimestamp: string): string | undefined {
  const ms = Date.parse(isoTimestamp);
  if (!Number.isFinite(ms)) return undefined;
  const iso = new Date(ms).toISOString();
  if (iso.startsWith('-') || iso.startsWith('+')) return undefined;
  return `${iso.slice(0, 4)}.${iso.slice(5, 7)}.${iso.slice(8, 10)}`;
}

/** The daily events index of an event timestamp, or undefined when the timestamp does not parse. */
export function eventIndexName(layout: IndexLayout, isoTimestamp: string): string | undefined {
  const day = dayOf(isoTimestamp);
  return day === undefined ? undefined : `${layout.eventsPrefix}-${day}`;
}

/** The daily dead-letter index of a record timestamp, or undefined when the timestamp does not parse. */
export function dlqIndexName(layout: IndexLayout, isoTimestamp: string): string | undefined {
  const day = dayOf(isoTimestamp);
  return day === undefined ? undefined : `${layout.dlqPrefix}-${day}`;
}
