import type { JsonObject } from '@atlas-audit/shared/schema/json-value';
import type { Rule } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { bool, postureOf, str } from '../lib/posture.ts';

const PROVIDERS = ['awsKms', 'azureKeyVault', 'googleCloudKms'] as const;

/** The customer-managed key provider in an encryption-at-rest state, or undefined when none is enabled. */
export function cmkProviderOf(state: JsonObject | undefined): string | undefined {
  if (state === undefined) return undefined;
  const provider = str(state, 'encryptionAtRestProvider') ?? str(state, 'provider');
  if (provider !== undefined && provider !== 'NONE') return provider;
  for (const p of PROVIDERS) {
    const block = state[p];
    if (typeof block === 'object' && block !== null && !Array.isArray(block) && bool(block, 'enabled') === true) return p;
  }
  return undefined;
}

/** Posture: encryption at rest relies on Atlas-managed keys only (no customer-managed KMS key). */
export const postureEncryptionNoCmk: Rule = {
  id: 'posture-encryption-no-cmk',
  name: 'Posture: encryption at rest without customer-managed keys',
  description: 'The encryption-at-rest snapshot shows no customer-managed key provider (AWS KMS, Azure Key Vault, Google Cloud KMS) enabled.',
  version: '1',
  threat: { tactic: tactics.collection, technique: techniques.dataFromCloudStorage },
  category: ['configuration'],
  datasets: ['atlas.posture'],
  actorRule: false,
  evaluate(event, ctx) {
    const p = postureOf(event);
    if (p === undefined || p.kind !== 'encryption_at_rest' || cmkProviderOf(p.state) !== undefined) return none;
    return [{
      subject: `${ctx.scope}/${p.resource}`,
      severity: 'low',
      explanation: `encryption at rest for ${p.resource} in project ${ctx.scope} uses no customer-managed key`,
      evidenceIds: [event.event.id],
      evidence: { resource: p.resource, change: p.change, state: p.state ?? null },
    }];
  },
};
