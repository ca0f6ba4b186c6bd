import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalisePostureSnapshot } from '@atlas-audit/shared/core/normalise/posture';
import { diffSnapshots } from '@atlas-audit/shared/core/normalise/posture-diff';
import type { PostureSnapshot } from '@atlas-audit/shared/core/normalise/posture-resources';
import { atlasEventSchema } from '@atlas-audit/shared/schema/event';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { Result } from '@atlas-audit/shared/result';

const user = fc.record({ username: fc.oneof(fc.string(), fc.constantFrom('a', 'b', 'c')), databaseName: fc.constantFrom('admin', '$external'), roles: fc.array(fc.record({ roleName: fc.constantFrom('read', 'readWrite', 'atlasAdmin'), databaseName: fc.constantFrom('admin', 'sales') }), { maxLength: 3 }) }, { requiredKeys: [] });
const section = <T>(item: fc.Arbitrary<T>) => fc.oneof(fc.array(item, { maxLength: 4 }), fc.record({ results: fc.array(item, { maxLength: 4 }) }), fc.anything());
const snapshot: fc.Arbitrary<PostureSnapshot> = fc.record(
  {
    takenAt: fc.oneof(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()), fc.string()),
    databaseUsers: section(fc.oneof(user, fc.anything())),
    customDBRoles: section(fc.record({ roleName: fc.string(), actions: fc.anything() }, { requiredKeys: [] })),
    accessList: section(fc.record({ cidrBlock: fc.constantFrom('0.0.0.0/0', '203.0.113.0/24'), ipAddress: fc.oneof(fc.ipV4(), fc.string()) }, { requiredKeys: [] })),
    auditLog: fc.oneof(fc.record({ enabled: fc.boolean(), auditFilter: fc.string() }, { requiredKeys: [] }), fc.anything()),
    maintenanceWindow: fc.anything(),
    encryptionAtRest: fc.anything(),
  },
  { requiredKeys: ['takenAt'] },
);

function check(results: Result<AtlasEvent>[]): void {
  for (const result of results) {
    if (result.ok) {
      const parsed = atlasEventSchema.safeParse(result.value);
      assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
    } else assert.ok(result.reason.length > 0);
  }
}

test('posture snapshots and diffs of arbitrary bodies never throw and yield valid events or reasons', () => {
  fc.assert(
    fc.property(snapshot, snapshot, (previous, next) => {
      check(normalisePostureSnapshot(next, { project: '65f0c0ffee0ddba11ab1e5e1' }));
      const diffs = diffSnapshots(previous, next, { project: '65f0c0ffee0ddba11ab1e5e1' });
      check(diffs);
      assert.deepEqual(diffSnapshots(previous, next, { project: '65f0c0ffee0ddba11ab1e5e1' }), diffs);
    }),
    { numRuns: 1000 },
  );
});
