import type { Rule } from '../rule.ts';
import { auditImpaired } from './audit-impaired.ts';
import { authFailureBurst } from './auth-failure-burst.ts';
import { authzFailureBurst } from './authz-failure-burst.ts';
import { bruteForceSuccess } from './brute-force-success.ts';
import { destructiveOperation } from './destructive-operation.ts';
import { dormantAccount } from './dormant-account.ts';
import { externalPrincipal } from './external-principal.ts';
import { mfaIdpTampering } from './mfa-idp-tampering.ts';
import { createNewCredential } from './new-credential.ts';
import { newIp } from './new-ip.ts';
import { networkExposure } from './network-exposure.ts';
import { offHoursAdmin } from './off-hours-admin.ts';
import { postureAccessListOpen } from './posture-access-list-open.ts';
import { postureAuditingOff } from './posture-auditing-off.ts';
import { postureEncryptionNoCmk } from './posture-encryption-no-cmk.ts';
import { postureNoMaintenanceWindow } from './posture-no-maintenance-window.ts';
import { posturePrivilegedUsers } from './posture-privileged-users.ts';
import { createSideDoorAccess } from './side-door-access.ts';
import { createUnexpectedRole } from './unexpected-role.ts';

/** Every rule, fresh (rules with memo caches are created per engine). Order is the evaluation order. */
export function createAllRules(): Rule[] {
  return [
    // Rules keyed by the actor first, so their state lookups of one event hit the same record.
    createUnexpectedRole(),
    offHoursAdmin,
    newIp,
    authFailureBurst,
    bruteForceSuccess,
    authzFailureBurst,
    dormantAccount,
    destructiveOperation,
    networkExposure,
    mfaIdpTampering,
    createNewCredential(),
    externalPrincipal,
    createSideDoorAccess(),
    auditImpaired,
    postureAuditingOff,
    postureAccessListOpen,
    posturePrivilegedUsers,
    postureNoMaintenanceWindow,
    postureEncryptionNoCmk,
  ];
}
