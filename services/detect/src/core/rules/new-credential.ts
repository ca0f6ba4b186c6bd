import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { Rule } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { anyGlobMatches, compileGlob } from '../lib/glob.ts';
import { paramString } from '../lib/event-facts.ts';
import { roleRefsOf } from '../lib/roles.ts';

const CREDENTIAL_EVENTS: Record<string, string> = {
  API_KEY_CREATED: 'API key',
  SERVICE_ACCOUNT_CREATED: 'service account',
  SERVICE_ACCOUNT_SECRET_ADDED: 'service-account secret',
  MONGODB_USER_ADDED: 'database user',
  MONGODB_USER_X509_CERT_CREATED: 'X.509 certificate',
};

function credentialOf(event: AtlasEvent): { kind: string; name: string; roles: string[] } | undefined {
  if (event.event.dataset === 'atlas.audit') {
    if (event.event.action !== 'createUser' || event.event.outcome === 'failure') return undefined;
    const user = paramString(event, 'user');
    const db = paramString(event, 'db');
    if (user === undefined) return undefined;
    const roles = roleRefsOf(event.atlas.param?.['roles']).map((r) => (r.includes('@') || db === undefined ? r : `${r}@${db}`));
    return { kind: 'database user', name: db === undefined ? user : `${user}@${db}`, roles };
  }
  const kind = CREDENTIAL_EVENTS[event.event.action];
  if (kind === undefined) return undefined;
  const a = event.atlas.activity;
  const name = event.user?.target?.name ?? a?.db_user_username ?? a?.target_username ?? `${event.event.action}:${a?.id ?? event.event.id}`;
  return { kind, name, roles: event.user?.target?.roles ?? [] };
}

/** D8: a new standing credential (API key, service account or secret, database user, certificate) created outside approved automation. */
export function createNewCredential(): Rule {
  const globsByList = new WeakMap<readonly string[], ReturnType<typeof compileGlob>[]>();
  return {
    id: 'new-credential',
    name: 'New standing credential',
    description: 'An API key, service account or secret, database user or X.509 certificate was created by a principal that is not approved automation; High when it carries a privileged role.',
    version: '1',
    threat: { tactic: tactics.persistence, technique: techniques.accountManipulation, subtechnique: techniques.additionalCloudCredentials },
    category: ['iam'],
    datasets: ['atlas.audit', 'atlas.activity'],
    actorRule: true,
    evaluate(event, ctx) {
      const cred = credentialOf(event);
      if (cred === undefined) return none;
      const automation = ctx.config.raw.rules['new-credential'].automationPrincipals;
      let globs = globsByList.get(automation);
      if (globs === undefined) {
        globs = automation.map(compileGlob);
        globsByList.set(automation, globs);
      }
      if (ctx.actor !== undefined && anyGlobMatches(globs, ctx.actor.name)) return none;
      const privileged = cred.roles.filter((r) => ctx.config.isPrivileged(r));
      const by = ctx.actor === undefined ? '' : ` by ${ctx.actor.name}`;
      return [{
        subject: `${ctx.scope}/${cred.kind}/${cred.name}`,
        severity: privileged.length > 0 ? 'high' : 'medium',
        explanation: `new ${cred.kind} ${cred.name} created${by}${privileged.length > 0 ? ` with privileged role ${privileged.join(', ')}` : ''}`,
        evidenceIds: [event.event.id],
        evidence: { kind: cred.kind, credential: cred.name, roles: cred.roles, privileged_roles: privileged },
      }];
    },
  };
}
