// A break-glass seal announced by the console: before it seals Vault, the console
// writes <watch-mount>/seal-intents/<incident-id>. The incident id is in the PATH, so
// Vault's own audit log (which HMACs values, not paths) records who announced which
// incident and when. When the watcher then sees Vault sealed, it looks in its audit
// store for that write: found within the window, the seal is the console's own, and
// pages as info (or not at all). A seal announced by no one pages as critical.
import { AppError } from '../../../shared/errors';
import type { WatchRepo } from '../storage/watch-repo';
import type { VaultClient } from '../vault/vault-client';

export const SEAL_INTENT_FOLDER = 'seal-intents';
export const INCIDENT_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkIncidentId(raw: string): string {
  const id = raw.trim();
  if (!INCIDENT_ID_RE.test(id)) throw new AppError('BAD_INPUT', 'The incident ID must be 1-64 letters, digits, dots, dashes or underscores (like INC-2026-0042).');
  return id;
}

export async function recordSealIntent(client: VaultClient, watchMount: string, intent: { incidentId: string; actor: string; atIso: string; cluster: string }): Promise<void> {
  const id = checkIncidentId(intent.incidentId);
  await client.request('POST', `${watchMount}/data/${SEAL_INTENT_FOLDER}/${id}`, {
    data: { incident_id: id, actor: intent.actor.slice(0, 200), at: intent.atIso, cluster: intent.cluster.slice(0, 255) },
  });
}

export interface SealIntent {
  incidentId: string;
  user: string;
  at: number;
}

/**
 * The newest announcement in Vault's audit log within [sealSeenAt - windowMs, sealSeenAt + skew]
 * and newer than `usedUpTo`: an announcement explains one seal, never a later one.
 */
export function findSealIntent(repo: WatchRepo, watchMount: string, sealSeenAt: number, windowMs: number, usedUpTo = -Infinity, skewMs = 60_000): SealIntent | null {
  const prefix = `${watchMount}/data/${SEAL_INTENT_FOLDER}/`;
  for (const w of repo.writesUnder(prefix, Math.max(sealSeenAt - windowMs, usedUpTo + 1), sealSeenAt + skewMs)) {
    const id = w.path.slice(prefix.length);
    if (INCIDENT_ID_RE.test(id)) return { incidentId: id, user: w.user, at: w.ts };
  }
  return null;
}
