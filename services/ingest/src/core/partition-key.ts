import type { AtlasEvent } from '@atlas-audit/shared/schema/event';

/**
 * The Kafka key of an event: `project:principal`, so one principal's events in one project stay
 * in order on one partition. Org-level events use the org id in place of the project; events
 * without a principal use `-`.
 */
export function partitionKey(event: AtlasEvent): string {
  const scope = event.cloud.project?.id ?? event.cloud.account?.id ?? '-';
  const principal = event.user?.name ?? '-';
  return `${scope}:${principal}`;
}
