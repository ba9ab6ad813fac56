// Break-glass: unseal with key shares (signed out is fine: sys/unseal needs no
// token), reset the unseal progress, and seal during an incident (needs a token
// with sys/seal). A key share passes through here to Vault and nowhere else.
import type { VaultStatus } from '../../../shared/contracts/vault';
import { AppError } from '../../../shared/errors';
import { createLogger } from '../log/logger';
import type { Session } from '../session/session-types';
import type { Clock } from '../time/clock';
import type { VaultClient } from '../vault/vault-client';
import { readVaultStatus } from '../vault/vault-status';
import { checkIncidentId, recordSealIntent } from '../watch/seal-intent';

const log = createLogger('break-glass');

// Vault's barrier keys are 16-32 bytes; a Shamir share adds one byte.
const MIN_SHARE_BYTES = 16;
const MAX_SHARE_BYTES = 33;

/**
 * Decode a share the way Vault does (hex first, then base64) and return its byte
 * length, or throw. Never put any part of the share in the message.
 */
export function shareLength(raw: string): number {
  const key = raw.trim();
  if (/^[0-9a-fA-F]+$/.test(key) && key.length % 2 === 0) {
    const n = key.length / 2;
    if (n >= MIN_SHARE_BYTES && n <= MAX_SHARE_BYTES) return n;
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4 !== 0) {
    throw new AppError('BAD_INPUT', 'That is not an unseal key share: expected the base64 (or hex) text Vault printed at init.');
  }
  const n = Buffer.from(key, 'base64').length;
  if (n < MIN_SHARE_BYTES || n > MAX_SHARE_BYTES) {
    throw new AppError('BAD_INPUT', `That is not an unseal key share: it decodes to ${n} bytes, a share has ${MIN_SHARE_BYTES + 1}-${MAX_SHARE_BYTES}.`);
  }
  return n;
}

interface UnsealBody {
  sealed?: boolean;
  progress?: number;
  t?: number;
  nonce?: string;
}

export interface BreakGlassDeps {
  vault: () => VaultClient;
  session: Session;
  clock: Clock;
  /** KV v2 mount where a seal with an incident ID is announced for the ops-host watcher. */
  sealIntentMount?: () => string;
}

export class BreakGlass {
  /**
   * Byte length of the shares accepted in the current unseal attempt (keyed by
   * Vault's nonce). Only the length is kept, never the share: a share of another
   * length can then be refused before it reaches Vault, whose progress would
   * otherwise end in a failed combine and a reset.
   */
  private attempt: { nonce: string; bytes: number } | null = null;

  constructor(private readonly deps: BreakGlassDeps) {}

  private now = () => new Date(this.deps.clock.now());

  async unseal(key: string): Promise<VaultStatus> {
    const bytes = shareLength(key);
    const client = this.deps.vault();
    const before = await readVaultStatus(client, this.now);
    if (!before.reachable) throw new AppError('VAULT_UNREACHABLE', before.error ?? 'Vault is unreachable.');
    if (!before.initialized) throw new AppError('VAULT_UNINITIALIZED', 'Vault is not initialized; there is nothing to unseal.');
    if (!before.sealed) return before;
    const nonce = await this.currentNonce(client);
    if (before.unseal.progress === 0) this.attempt = null;
    if (this.attempt && this.attempt.nonce === nonce && this.attempt.bytes !== bytes) {
      throw new AppError(
        'BAD_INPUT',
        `That key share does not match the ${before.unseal.progress} already entered (different length); progress is unchanged at ${before.unseal.progress} of ${before.unseal.threshold}.`,
      );
    }
    try {
      // Security: the share goes in the request body only; never logged, never kept.
      const res = await client.request<UnsealBody>('PUT', 'sys/unseal', { key: key.trim() });
      if (res.sealed === false) {
        this.attempt = null;
        log.info('unseal threshold reached; Vault unsealed');
      } else {
        this.attempt = { nonce: res.nonce ?? nonce, bytes };
        log.info(`unseal share accepted (${res.progress ?? '?'} of ${res.t ?? '?'})`);
      }
    } catch (err) {
      const after = await readVaultStatus(client, this.now).catch(() => null);
      const e = err instanceof AppError ? err : new AppError('VAULT_ERROR', 'Unseal failed.');
      log.warn(`unseal share refused (${e.code})`);
      if (e.code === 'VAULT_UNREACHABLE') throw e;
      const progress = after?.unseal.progress ?? before.unseal.progress;
      if (before.unseal.progress + 1 >= before.unseal.threshold && progress === 0) {
        this.attempt = null;
        // Vault combines the shares only at the threshold and resets on failure.
        throw new AppError(
          'BAD_INPUT',
          `The ${before.unseal.threshold} shares entered did not unseal Vault: at least one is wrong. Vault reset the progress to 0 of ${before.unseal.threshold}; enter the shares again.`,
        );
      }
      throw new AppError('BAD_INPUT', `Vault refused that key share; progress is unchanged at ${progress} of ${before.unseal.threshold}.`);
    }
    return readVaultStatus(client, this.now);
  }

  async resetUnseal(): Promise<VaultStatus> {
    const client = this.deps.vault();
    await client.request('PUT', 'sys/unseal', { reset: true });
    this.attempt = null;
    log.info('unseal progress reset');
    return readVaultStatus(client, this.now);
  }

  /**
   * Seal Vault. `confirm` must equal the cluster name (typed by the user, checked here too).
   * With an incident ID the seal is first announced in Vault, so the ops-host watcher
   * pages it as the console's break-glass action (info) instead of an unexpected seal.
   */
  async seal(confirm: string, incidentId?: string): Promise<VaultStatus> {
    const incident = incidentId === undefined || incidentId.trim() === '' ? null : checkIncidentId(incidentId);
    const anon = this.deps.vault();
    const status = await readVaultStatus(anon, this.now);
    if (!status.reachable) throw new AppError('VAULT_UNREACHABLE', status.error ?? 'Vault is unreachable.');
    if (status.sealed) return status;
    const expected = sealConfirmation(status);
    if (confirm.trim() !== expected) {
      throw new AppError('BAD_INPUT', `Type the cluster name "${expected}" exactly to confirm sealing Vault.`);
    }
    const client = this.deps.session.requireClient();
    const actor = this.deps.session.info().displayName || 'a token';
    if (incident && this.deps.sealIntentMount) {
      // Best effort: an announcement that cannot be written must not stop a break-glass seal.
      const mount = this.deps.sealIntentMount();
      await recordSealIntent(client, mount, { incidentId: incident, actor, atIso: this.now().toISOString(), cluster: expected }).then(
        () => log.info(`seal announced for incident ${incident} in ${mount}`),
        (err: unknown) => log.warn(`seal for incident ${incident} not announced in ${mount} (${err instanceof AppError ? err.code : 'error'}): the watcher will page it as unexpected`),
      );
    }
    try {
      await client.request('PUT', 'sys/seal');
    } catch (err) {
      if (err instanceof AppError && err.code === 'PERMISSION_DENIED') {
        throw new AppError('PERMISSION_DENIED', 'Your token may not seal Vault (it needs update and sudo on sys/seal).');
      }
      throw err;
    }
    log.warn(`Vault ${status.clusterName || status.address} sealed from the console by ${actor}${incident ? ` (incident ${incident})` : ''}`);
    return readVaultStatus(anon, this.now);
  }

  private async currentNonce(client: VaultClient): Promise<string> {
    const s = await client.request<{ nonce?: string }>('GET', 'sys/seal-status');
    return s.nonce ?? '';
  }
}

/** What the user types to confirm sealing: the cluster name, or "seal" when Vault has none. */
export function sealConfirmation(status: Pick<VaultStatus, 'clusterName'>): string {
  return status.clusterName || 'seal';
}
