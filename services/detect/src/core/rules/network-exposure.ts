import type { Rule } from '../rule.ts';
import { none } from '../rule.ts';
import { tactics, techniques } from '../lib/attack.ts';
import { cidrContains, isPrivateIp, parseCidr } from '../lib/ip.ts';

const ENTRY_EVENTS = new Set(['NETWORK_PERMISSION_ENTRY_ADDED', 'NETWORK_PERMISSION_ENTRY_UPDATED', 'API_KEY_ACCESS_LIST_ENTRY_ADDED']);
const CONTROL_EVENTS: Record<string, string> = {
  ORG_PUBLIC_API_ACCESS_LIST_NOT_REQUIRED: 'the Admin API access list is no longer required',
  ORG_UI_IP_ACCESS_LIST_DISABLED: 'the Atlas UI IP access list was disabled',
};

/** Why a CIDR is an exposure, or undefined when it is acceptable. */
export function exposureOf(cidrText: string, minPrefixLength: number, approved: readonly string[]): string | undefined {
  const cidr = parseCidr(cidrText);
  if (cidr === undefined) return undefined;
  if (cidr.bits === 0) return 'open to the whole internet';
  const min = cidr.version === 4 ? minPrefixLength : minPrefixLength * 2;
  if (cidr.bits < min) return `prefix /${cidr.bits} is shorter than /${min}`;
  if (approved.length > 0 && !isPrivateIp(cidr.network)) {
    const inside = approved.some((a) => {
      const block = parseCidr(a);
      return block !== undefined && block.bits <= cidr.bits && cidrContains(block, cidrText.split('/')[0] ?? '');
    });
    if (!inside) return 'public range outside the approved register';
  }
  return undefined;
}

/** D5: an access-list change that opens the project to the world or to a range outside the register, or a disabled access-list control. */
export const networkExposure: Rule = {
  id: 'network-exposure',
  name: 'Network exposure widened',
  description: 'An IP access-list entry of 0.0.0.0/0, ::/0, a prefix shorter than the configured minimum, or a public range outside the approved CIDRs; or the API/UI access-list requirement switched off.',
  version: '1',
  threat: { tactic: tactics.defenseEvasion, technique: techniques.modifyAuthentication, subtechnique: techniques.conditionalAccessPolicies },
  category: ['network', 'configuration'],
  datasets: ['atlas.activity'],
  actorRule: true,
  evaluate(event, ctx) {
    const action = event.event.action;
    const by = ctx.actor === undefined ? '' : ` by ${ctx.actor.name}`;
    const control = CONTROL_EVENTS[action];
    if (control !== undefined) {
      return [{ subject: `${ctx.scope}/${action}`, severity: 'high', explanation: `${control}${by}`, evidenceIds: [event.event.id], evidence: { event_type: action } }];
    }
    if (!ENTRY_EVENTS.has(action)) return none;
    const entry = event.atlas.activity?.access_list_entry;
    if (entry === undefined) return none;
    const cfg = ctx.config.raw.rules['network-exposure'];
    const why = exposureOf(entry, cfg.minPrefixLength, cfg.approvedCidrs);
    if (why === undefined) return none;
    return [{
      subject: `${ctx.scope}/${entry}`,
      severity: 'high',
      explanation: `access-list entry ${entry} added in ${ctx.scope}${by}: ${why}`,
      evidenceIds: [event.event.id],
      evidence: { cidr: entry, reason: why, event_type: action },
    }];
  },
};
