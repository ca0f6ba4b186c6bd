import type { EventCategory, EventOutcome, EventType } from '../schema/event.ts';

/** How one Atlas activity `eventTypeName` maps to ECS. */
export type EventTypeMapping = { category: EventCategory[]; type: EventType[]; outcome: EventOutcome; known: boolean };

const m = (category: EventCategory[], type: EventType[], outcome: EventOutcome = 'success'): EventTypeMapping => ({ category, type, outcome, known: true });
const iamUser = (type: EventType) => m(['iam'], ['user', type]);
const iamGroup = (type: EventType) => m(['iam'], ['group', type]);
const network = (type: EventType) => m(['configuration', 'network'], [type]);
const config = (type: EventType) => m(['configuration'], [type]);
const iamConfig = (type: EventType) => m(['configuration', 'iam'], [type]);

const exact: Record<string, EventTypeMapping> = {
  MONGODB_USER_ADDED: iamUser('creation'),
  MONGODB_USER_DELETED: iamUser('deletion'),
  MONGODB_USER_UPDATED: iamUser('change'),
  MONGODB_USER_X509_CERT_CREATED: m(['iam'], ['user', 'creation']),
  MONGODB_USER_X509_CERT_REVOKED: m(['iam'], ['user', 'deletion']),
  MONGODB_ROLE_ADDED: iamGroup('creation'),
  MONGODB_ROLE_DELETED: iamGroup('deletion'),
  MONGODB_ROLE_UPDATED: iamGroup('change'),
  NETWORK_PERMISSION_ENTRY_ADDED: network('creation'),
  NETWORK_PERMISSION_ENTRY_REMOVED: network('deletion'),
  NETWORK_PERMISSION_ENTRY_UPDATED: network('change'),
  PRIVATE_NETWORK_ENDPOINT_ENTRY_ADDED: network('creation'),
  PRIVATE_NETWORK_ENDPOINT_ENTRY_REMOVED: network('deletion'),
  PRIVATE_NETWORK_ENDPOINT_ENTRY_UPDATED: network('change'),
  AUDIT_LOG_CONFIGURATION_UPDATED: config('change'),
  USER_SECURITY_SETTINGS_UPDATED: iamConfig('change'),
  ENCRYPTION_AT_REST_CONFIGURATION_UPDATED: config('change'),
  CUSTOMER_X509_CRL_UPDATED: iamConfig('change'),
  ALL_USERS_HAVE_MULTI_FACTOR_AUTH: iamConfig('info'),
  USERS_WITHOUT_MULTI_FACTOR_AUTH: iamConfig('info'),
  ALL_ORG_USERS_HAVE_MFA: iamConfig('info'),
  ORG_USERS_WITHOUT_MFA: iamConfig('info'),
  JOINED_GROUP: iamUser('creation'),
  REMOVED_FROM_GROUP: iamUser('deletion'),
  INVITED_TO_GROUP: iamUser('creation'),
  JOINED_ORG: iamUser('creation'),
  REMOVED_FROM_ORG: iamUser('deletion'),
  INVITED_TO_ORG: iamUser('creation'),
  USER_ROLES_CHANGED_AUDIT: m(['iam'], ['user', 'change', 'admin']),
  TEAM_ROLES_MODIFIED: m(['iam'], ['group', 'change', 'admin']),
  API_KEY_CREATED: iamUser('creation'),
  API_KEY_DELETED: iamUser('deletion'),
  API_KEY_ROLES_CHANGED: m(['iam'], ['user', 'change', 'admin']),
  API_KEY_ACCESS_LIST_ENTRY_ADDED: network('creation'),
  API_KEY_ACCESS_LIST_ENTRY_DELETED: network('deletion'),
  API_KEY_ADDED_TO_GROUP: iamUser('change'),
  API_KEY_REMOVED_FROM_GROUP: iamUser('change'),
  SERVICE_ACCOUNT_CREATED: iamUser('creation'),
  SERVICE_ACCOUNT_DELETED: iamUser('deletion'),
  SERVICE_ACCOUNT_ROLES_CHANGED: m(['iam'], ['user', 'change', 'admin']),
  SERVICE_ACCOUNT_SECRET_ADDED: iamUser('change'),
  SERVICE_ACCOUNT_SECRET_DELETED: iamUser('change'),
  DATA_EXPLORER: m(['database'], ['access']),
  DATA_EXPLORER_CRUD: m(['database'], ['access', 'change']),
  ALERT_HOST_SSH_SESSION_STARTED: m(['session', 'network'], ['start']),
  ATTEMPT_KILLOP_AUDIT: m(['process'], ['end']),
  ORG_TWO_FACTOR_AUTH_REQUIRED: iamConfig('change'),
  ORG_TWO_FACTOR_AUTH_OPTIONAL: iamConfig('change'),
  ORG_PUBLIC_API_ACCESS_LIST_REQUIRED: network('change'),
  ORG_PUBLIC_API_ACCESS_LIST_NOT_REQUIRED: network('change'),
  ORG_UI_IP_ACCESS_LIST_ENABLED: network('change'),
  ORG_UI_IP_ACCESS_LIST_DISABLED: network('change'),
  CUSTOM_SESSION_TIMEOUT_MODIFIED: config('change'),
  SECURITY_CONTACT_MODIFIED: config('change'),
  SUCCESSFUL_LOGIN_AUDIT: m(['authentication'], ['start'], 'success'),
  UNSUCCESSFUL_LOGIN_AUDIT: m(['authentication'], ['start'], 'failure'),
  ACCOUNT_LOCKED_AUDIT: m(['iam', 'authentication'], ['user', 'change'], 'success'),
  MULTI_FACTOR_AUTH_RESET_AUDIT: m(['iam'], ['user', 'change']),
  ALERT_CONFIG_DISABLED_AUDIT: config('change'),
  ALERT_CONFIG_DELETED_AUDIT: config('deletion'),
};

/** Families matched by prefix, most specific first. */
const prefixes: [string, EventCategory[]][] = [
  ['FEDERATION_SETTINGS_', ['configuration', 'iam']],
  ['IDENTITY_PROVIDER_', ['configuration', 'iam']],
  ['OIDC_IDENTITY_PROVIDER_', ['configuration', 'iam']],
  ['ROLE_MAPPING_', ['configuration', 'iam']],
  ['API_KEY_', ['iam']],
  ['SERVICE_ACCOUNT_', ['iam']],
  ['MONGODB_USER_', ['iam']],
  ['MONGODB_ROLE_', ['iam']],
];

function typeFromSuffix(name: string): EventType {
  if (/_(ADDED|CREATED|ENABLED)(_AUDIT)?$/.test(name)) return 'creation';
  if (/_(DELETED|REMOVED|REVOKED|DISABLED)(_AUDIT)?$/.test(name)) return 'deletion';
  if (/_(UPDATED|MODIFIED|CHANGED|RESET)(_AUDIT)?$/.test(name)) return 'change';
  return 'info';
}

/**
 * The ECS mapping of an Atlas `eventTypeName`. Security-relevant names map exactly; known
 * families map by prefix; anything else is configuration with a type guessed from its suffix
 * and outcome 'unknown' (known=false).
 */
export function mapEventType(name: string): EventTypeMapping {
  if (Object.hasOwn(exact, name)) return exact[name] as EventTypeMapping;
  for (const [prefix, category] of prefixes) {
    if (name.startsWith(prefix)) return { category, type: [typeFromSuffix(name)], outcome: 'success', known: true };
  }
  return { category: ['configuration'], type: [typeFromSuffix(name)], outcome: 'unknown', known: false };
}

/** Every eventTypeName with an exact mapping (for tests and docs). */
export const knownEventTypes: readonly string[] = Object.keys(exact);
