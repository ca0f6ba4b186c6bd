import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toDlqRecord } from '@atlas-audit/shared/core/dlq-record';
import { dlqRecordSchema } from '@atlas-audit/shared/schema/dlq';
import { createAuditNormaliser } from '@atlas-audit/shared/core/normalise/audit';
import { CONTEXT } from './helpers.ts';

test('an invalid audit line becomes a schema-valid dead-letter record that keeps its exact bytes', () => {
  const raw = Buffer.concat([Buffer.from('{"atype":"authenticate","param":{"user":"a'), Buffer.from([0xff]), Buffer.from('"}')]);
  const result = createAuditNormaliser(CONTEXT)(raw, 0);
  assert.equal(result.ok, false);
  const reason = result.ok ? '' : result.reason;
  const origin = { project: CONTEXT.project, host: CONTEXT.host, source: 'atlas.audit' as const, logName: 'mongodb-audit-log', window: { start: '2025-03-04T14:00:00.000Z', end: '2025-03-04T14:15:00.000Z' }, line: 7 };
  const record = toDlqRecord(raw, reason, origin, '2025-03-04T14:20:00.000Z');
  assert.ok(dlqRecordSchema.safeParse(record).success);
  assert.deepEqual(Buffer.from(record.raw, 'base64'), raw);
  assert.match(record.reason, /^invalid JSON/);
  assert.equal(toDlqRecord(raw, reason, origin, '2025-03-05T00:00:00.000Z').id, record.id, 'the id does not depend on when it was dead-lettered');
  assert.notEqual(toDlqRecord(raw, reason, { ...origin, line: 8 }, '2025-03-04T14:20:00.000Z').id, record.id);
});
