import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { createEngine } from '../src/core/engine.ts';
import type { Rule } from '../src/core/rule.ts';
import { createAllRules } from '../src/core/rules/index.ts';
import { createMemoryState } from '../src/core/state/memory.ts';
import { access, audit, configOf } from './fixtures.ts';

// Small thresholds and short windows, so a few dozen events open, hit and outlive suppression windows.
const yaml = `
rules:
  auth-failure-burst: { perUserThreshold: 3, distinctUsersPerPrefix: 2, windowMinutes: 5, suppressionMinutes: 7 }
  brute-force-success: { failureThreshold: 3, withinMinutes: 10, suppressionMinutes: 7 }
  authz-failure-burst: { threshold: 3, windowMinutes: 5, suppressionMinutes: 7 }
`;

/** The same rule, told that nothing is ever suppressed: it then measures and builds every finding. */
function neverSuppressed(rule: Rule): Rule {
  return { ...rule, evaluate: (event, ctx) => rule.evaluate(event, { ...ctx, suppressed: () => false }) };
}

const at = (minute: number, second: number): string => new Date(Date.UTC(2025, 2, 4, 9) + minute * 60_000 + second * 1000).toISOString();
const eventArb: fc.Arbitrary<AtlasEvent> = fc.oneof(
  fc.record({ u: fc.constantFrom('app_svc', 'dba_ops', 'etl_job'), ip: fc.constantFrom('203.0.113.7', '203.0.113.9', '198.51.100.4'), m: fc.integer({ min: 0, max: 25 }), s: fc.integer({ min: 0, max: 59 }), ok: fc.boolean() })
    .map(({ u, ip, m, s, ok }) => access(u, ip, at(m, s), { ok })),
  fc.record({ u: fc.constantFrom('app_svc', 'dba_ops'), m: fc.integer({ min: 0, max: 25 }), s: fc.integer({ min: 0, max: 59 }), ns: fc.constantFrom('sales.orders', 'hr.salaries') })
    .map(({ u, m, s, ns }) => audit('authCheck', u, at(m, s), { result: 13, param: { command: 'find', ns } })),
);

test('rules that skip findings the engine would suppress raise exactly the alerts they would raise without skipping (property)', () => {
  const config = configOf(yaml);
  fc.assert(
    fc.property(fc.array(eventArb, { minLength: 20, maxLength: 120 }), (events) => {
      const shortcut = createEngine(config, createMemoryState());
      const full = createEngine(config, createMemoryState(), createAllRules().map(neverSuppressed));
      const a = events.flatMap((e) => shortcut.evaluate(e));
      const b = events.flatMap((e) => full.evaluate(e));
      assert.deepEqual(a, b);
    }),
    { numRuns: 200 },
  );
});

test('the shortcut is taken: a flood for one user raises one burst alert and is measured only until it', () => {
  const config = configOf(yaml);
  let measured = 0;
  let skipped = 0;
  const counting = createAllRules().map((rule): Rule => ({
    ...rule,
    evaluate: (event, ctx) => rule.evaluate(event, {
      ...ctx,
      suppressed: (id, subject) => {
        const s = ctx.suppressed(id, subject);
        if (subject.includes('/user/')) {
          if (s) skipped++;
          else measured++;
        }
        return s;
      },
    }),
  }));
  const engine = createEngine(config, createMemoryState(), counting);
  const flood = Array.from({ length: 200 }, (_, i) => access('app_svc', '203.0.113.7', at(Math.floor(i / 60), i % 60), { ok: false }));
  const alerts = flood.flatMap((e) => engine.evaluate(e));
  assert.equal(alerts.filter((a) => a.rule.id === 'auth-failure-burst').length, 1);
  // Measured until the first alert opens the window (threshold 3), then never again within 7 minutes.
  assert.ok(measured < 10, `measured ${measured} times`);
  // Every later failure asked and was told the window is open (a rule that never asks fails here).
  assert.equal(measured + skipped, flood.length);
  assert.ok(skipped > flood.length - 10, `skipped ${skipped} times`);
});
