import type { AttackRef } from '../rule.ts';

/** MITRE ATT&CK tactics and techniques the rules map to (names as on attack.mitre.org). */
export const tactics = {
  initialAccess: { id: 'TA0001', name: 'Initial Access' },
  persistence: { id: 'TA0003', name: 'Persistence' },
  privilegeEscalation: { id: 'TA0004', name: 'Privilege Escalation' },
  defenseEvasion: { id: 'TA0005', name: 'Defense Evasion' },
  credentialAccess: { id: 'TA0006', name: 'Credential Access' },
  collection: { id: 'TA0009', name: 'Collection' },
  impact: { id: 'TA0040', name: 'Impact' },
} as const satisfies Record<string, AttackRef>;

export const techniques = {
  accountManipulation: { id: 'T1098', name: 'Account Manipulation' },
  additionalCloudCredentials: { id: 'T1098.001', name: 'Additional Cloud Credentials' },
  additionalCloudRoles: { id: 'T1098.003', name: 'Additional Cloud Roles' },
  validAccounts: { id: 'T1078', name: 'Valid Accounts' },
  cloudAccounts: { id: 'T1078.004', name: 'Cloud Accounts' },
  bruteForce: { id: 'T1110', name: 'Brute Force' },
  modifyAuthentication: { id: 'T1556', name: 'Modify Authentication Process' },
  multiFactorAuthentication: { id: 'T1556.006', name: 'Multi-Factor Authentication' },
  conditionalAccessPolicies: { id: 'T1556.009', name: 'Conditional Access Policies' },
  impairDefenses: { id: 'T1562', name: 'Impair Defenses' },
  disableCloudLogs: { id: 'T1562.008', name: 'Disable or Modify Cloud Logs' },
  createAccount: { id: 'T1136', name: 'Create Account' },
  createCloudAccount: { id: 'T1136.003', name: 'Cloud Account' },
  dataDestruction: { id: 'T1485', name: 'Data Destruction' },
  dataFromInformationRepositories: { id: 'T1213', name: 'Data from Information Repositories' },
  externalRemoteServices: { id: 'T1133', name: 'External Remote Services' },
  dataFromCloudStorage: { id: 'T1530', name: 'Data from Cloud Storage' },
  exploitPublicFacingApplication: { id: 'T1190', name: 'Exploit Public-Facing Application' },
} as const satisfies Record<string, AttackRef>;
