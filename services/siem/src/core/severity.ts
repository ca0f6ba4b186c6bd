import type { AlertSeverity } from './alert-view.ts';

/** CEF severity (0–10) per alert severity. */
export const cefSeverityOf: Readonly<Record<AlertSeverity, number>> = { low: 3, medium: 5, high: 8, critical: 10 };

/** Syslog severity (RFC 5424 §6.2.1: 2 critical … 5 notice) per alert severity. */
export const syslogSeverityOf: Readonly<Record<AlertSeverity, number>> = { low: 5, medium: 4, high: 3, critical: 2 };

/** OCSF severity_id (1 informational … 5 critical) per alert severity. */
export const ocsfSeverityIdOf: Readonly<Record<AlertSeverity, number>> = { low: 2, medium: 3, high: 4, critical: 5 };
