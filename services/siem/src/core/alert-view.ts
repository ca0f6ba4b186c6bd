import { alertSchema, type Alert, type AlertSeverity as SharedSeverity } from '@atlas-audit/shared/schema/alert';

/**
 * The alert as the SIEM service sees it: exactly the shared detection alert schema
 * (shared/src/schema/alert.ts). Sinks that forward JSON send the consumed bytes unchanged.
 */
export const siemAlertSchema = alertSchema;

/** An alert as the SIEM service sees it. */
export type SiemAlert = Alert;

/** The alert severities, lowest first. */
export type AlertSeverity = SharedSeverity;
