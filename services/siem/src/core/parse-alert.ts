import { fail, ok, type Result } from '@atlas-audit/shared/result';
import { jsonErrorReason } from '@atlas-audit/shared/core/json-error';
import { siemAlertSchema, type SiemAlert } from './alert-view.ts';

/** Parses one Kafka message value into an alert, or a reason (invalid JSON, schema problems). Never throws. */
export function parseAlert(raw: Buffer | string | null): Result<SiemAlert> {
  if (raw === null) return fail('empty message (tombstone)');
  let data: unknown;
  try {
    data = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (err) {
    return fail(`invalid JSON: ${jsonErrorReason(err)}`);
  }
  const parsed = siemAlertSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    return fail(`not an alert: ${issues.join('; ')}`);
  }
  return ok(parsed.data);
}
