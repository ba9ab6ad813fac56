// Main's second check: before a gated channel's handler makes its first Vault call, the
// action's exact paths are checked with sys/capabilities-self (fresh, never cached), and a
// forbidden action fails with PERMISSION_DENIED naming the path and the capability, with
// nothing else sent to Vault. The UI disables the same actions with the same reasons
// (shared/capabilities.ts); this is what a stale UI, a hostile renderer or a policy changed
// a second ago meets.
import { GATE_LABELS, type GateCheck } from '../../shared/capabilities';
import { checkTenantId } from '../../shared/rotation/rules';
import type { ChannelName, ChannelParsedInput } from '../../shared/contract';
import type { Services } from '../services/container';
import type { Handler, Handlers } from './types';

/** The action a call starts; null: this input starts nothing in Vault (a local file, say). */
type Guard<K extends ChannelName> = (input: ChannelParsedInput<K>, services: Services) => GateCheck | null | Promise<GateCheck | null>;

export const GUARDS: { [K in ChannelName]?: Guard<K> } = {
  'vault:seal': () => ({ action: 'vault.seal' }),
  'tenants:sync': () => ({ action: 'tenants.sync' }),
  'tenants:history': ({ tenantId, path }) => ({ action: 'secrets.history', tenantId, path }),
  'tenants:dkim-dns': ({ tenantId, domain }) => ({ action: 'dkim.dns', tenantId, domain }),
  'dkim:check': async ({ tenantId, domain }, s) => {
    if (domain) return { action: 'dkim.check', tenantId, domains: [domain] };
    // The whole tenant: the action checks every key Vault lists (never the local index, which
    // may be empty and would gate nothing). May this identity list them? Then gate each one.
    await s.capabilities.requireNeeds(GATE_LABELS['dkim.check'], [{ path: `${s.connection().kvMount}/metadata/${checkTenantId(tenantId)}/dkim/`, caps: ['list'] }]);
    return { action: 'dkim.check', tenantId, domains: await s.dkimDns.domains(tenantId) };
  },
  'dkim:retire-anyway': ({ tenantId, domain }) => ({ action: 'dkim.retire', tenantId, domain }),
  'tenants:download-ssh-key': ({ tenantId }) => ({ action: 'ssh.download', tenantId }),
  'tenants:revoke-api-key': ({ tenantId, keyId }) => ({ action: 'apikeys.revoke', tenantId, keyId }),
  'reveal:verify': ({ tenantId }) => ({ action: 'secrets.reveal', tenantId }),
  'rotation:rotate': ({ tenantId, target }) => ({ action: 'secrets.rotate', tenantId, target }),
  'rotation:emergency-reset': ({ tenantId, target }) => ({ action: 'secrets.emergency-reset', tenantId, which: target }),
  // Incident response: one API key the identity read, rotated on its own (a Rotate Now of that key).
  'incident:rotate-api-key': ({ path }) => ({ action: 'secrets.rotate', tenantId: path.split('/')[0] ?? '', target: `api:${path.split('/').slice(2).join('/')}` }),
  'rotation:set-schedules': ({ expectedVersion }) => ({ action: 'schedules.save', exists: expectedVersion > 0 }),
  'audit:request-delete': () => ({ action: 'approvals.request' }),
  'audit:approve-delete': ({ id }) => ({ action: 'approvals.approve', id }),
  'audit:delete-secret': async ({ id }, s) => {
    // The secret's path is in the request: may this identity use the request at all, before reading it?
    await s.capabilities.requireNeeds(GATE_LABELS['approvals.delete'], [{ path: `${s.connection().kvMount}-approvals/data/requests/${id}`, caps: ['read', 'update'] }]);
    return { action: 'approvals.delete', id, path: await s.audit.approvals.pathOf(id) };
  },
  'backup:run': ({ kind }) => ({ action: 'backup.run', kind: kind ?? 'auto' }),
  // Following the file device Vault reports reads sys/audit; a file picked in main's dialog reads nothing from Vault.
  'audit:stream-start': ({ source }) => (source === 'sys-audit' ? { action: 'audit.devices' } : null),
  'backup:restore': ({ scope, tenantId }) => ({ action: 'backup.restore', scope, ...(tenantId ? { tenantId } : {}) }),
};

/** Wraps every guarded channel's handler: the guard first, the handler only if it passes. */
export function withGuards(handlers: Handlers, services: Services): Handlers {
  const out: Record<string, Handler<ChannelName>> = { ...(handlers as unknown as Record<string, Handler<ChannelName>>) };
  for (const [channel, guard] of Object.entries(GUARDS) as Array<[ChannelName, Guard<ChannelName>]>) {
    const inner = handlers[channel] as Handler<ChannelName>;
    out[channel] = async (input) => {
      const check = await guard(input, services);
      if (check) await services.capabilities.require(check);
      return inner(input);
    };
  }
  return out as unknown as Handlers;
}
