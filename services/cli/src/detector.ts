import type { AtlasEvent } from '@atlas-audit/shared/schema/event';

/** Options of the offline detector: a rules file and the time zone for off-hours rules. */
export type DetectorOptions = { rulesFile?: string; timeZone?: string };

/** Evaluates events in order and returns alerts; `flush` returns what windows still hold. */
export type Detector = { evaluate(event: AtlasEvent): unknown[]; flush(): unknown[] };

/**
 * Creates the detector `scan` runs. The detection engine plugs in here; until then it raises
 * no alerts.
 */
export function createDetector(options: DetectorOptions): Detector {
  void options;
  return {
    evaluate: () => [],
    flush: () => [],
  };
}
