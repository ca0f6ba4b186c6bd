import { readFileSync } from 'node:fs';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { atlasEventSchema } from '@atlas-audit/shared/schema/event';
import type { Result } from '@atlas-audit/shared/result';

/** Path of a fixture under shared/test/fixtures. */
export const fixturePath = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname;

/** A fixture as text. */
export const readFixture = (name: string): string => readFileSync(fixturePath(name), 'utf8');

/** A fixture as parsed JSON. */
export const readJsonFixture = (name: string): unknown => JSON.parse(readFixture(name));

export const CONTEXT = {
  project: '65f0c0ffee0ddba11ab1e5e1',
  host: 'atlas-q7x2kd-shard-00-01.x7rgm.mongodb.net',
  cluster: 'Cluster0',
  logName: 'mongodb-audit-log',
};

/** The event of an ok Result, validated against the schema; fails the test otherwise. */
export function expectEvent(result: Result<AtlasEvent>): AtlasEvent {
  if (!result.ok) throw new Error(`expected an event, got reason: ${result.reason}`);
  const parsed = atlasEventSchema.safeParse(result.value);
  if (!parsed.success) throw new Error(`event fails the schema: ${parsed.error.message}`);
  return result.value;
}
