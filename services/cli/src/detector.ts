import { readFileSync } from 'node:fs';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { AppError } from '@atlas-audit/shared/errors';
import { compileConfig } from '@atlas-audit/detect/core/config/compile';
import { parseRulesConfig } from '@atlas-audit/detect/core/config/load';
import { createEngine } from '@atlas-audit/detect/core/engine';
import { createMemoryState } from '@atlas-audit/detect/core/state/memory';

/** Options of the offline detector: a rules file and the time zone for off-hours rules. */
export type DetectorOptions = { rulesFile?: string; timeZone?: string };

/** Evaluates events in order and returns alerts (see shared/src/schema/alert.ts); `flush` returns what windows still hold. */
export type Detector = { evaluate(event: AtlasEvent): unknown[]; flush(): unknown[] };

/**
 * Creates the detector `scan` runs: the detection engine over in-memory state. Reads the rules
 * file when given (else the defaults); `timeZone` is the business-hours zone unless the rules file
 * sets one. Throws AppError CONFIG_INVALID listing every problem of an unreadable or invalid file.
 */
export function createDetector(options: DetectorOptions): Detector {
  let text: string | undefined;
  if (options.rulesFile !== undefined) {
    try {
      text = readFileSync(options.rulesFile, 'utf8');
    } catch (err) {
      throw new AppError(`cannot read rules file ${options.rulesFile}`, { code: 'CONFIG_INVALID', retryable: false, cause: err });
    }
  }
  const parsed = parseRulesConfig(text, options.rulesFile ?? 'default rules', options.timeZone === undefined ? {} : { defaultTimeZone: options.timeZone });
  if (!parsed.ok) throw new AppError(parsed.reason, { code: 'CONFIG_INVALID', retryable: false });
  const engine = createEngine(compileConfig(parsed.value), createMemoryState());
  return {
    evaluate: (event) => engine.evaluate(event),
    // Every rule decides at event time, so nothing is held back at the end of input.
    flush: () => [],
  };
}
