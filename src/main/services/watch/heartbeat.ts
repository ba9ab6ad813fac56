// The watcher's heartbeat in Vault: one KV v2 entry per watcher under
// <watch-mount>/watchers/<id> (host, version, last seen, open pages), written by the
// watcher and read by every console (state several admins share lives in Vault).
// "Last seen" is the time Vault stored the entry, not what the watcher claims.
import { OpenPageSchema, WATCHER_STALE_MINUTES, type OpenPage, type WatcherView, type WatchStatus } from '../../../shared/contracts/watch';
import { AppError } from '../../../shared/errors';
import type { VaultClient } from '../vault/vault-client';

export const HEARTBEAT_FOLDER = 'watchers';
/** At most this many watchers are read for one cluster. */
export const MAX_WATCHERS = 50;

export interface Heartbeat {
  watcherId: string;
  host: string;
  version: string;
  startedAt: string;
  pollSeconds: number;
  vaultAddress: string;
  openPages: OpenPage[];
  outboxPending: number;
}

export async function writeHeartbeat(client: VaultClient, watchMount: string, hb: Heartbeat, nowIso: string, first = false): Promise<void> {
  await client.request('POST', `${watchMount}/data/${HEARTBEAT_FOLDER}/${hb.watcherId}`, {
    data: {
      watcher_id: hb.watcherId,
      host: hb.host.slice(0, 255),
      version: hb.version.slice(0, 64),
      started_at: hb.startedAt,
      last_seen: nowIso,
      poll_seconds: hb.pollSeconds,
      vault_address: hb.vaultAddress,
      open_pages: hb.openPages.slice(0, 20),
      outbox_pending: hb.outboxPending,
    },
  });
  // Only the newest beat matters: keep the history short (set once per run).
  if (first) await client.request('POST', `${watchMount}/metadata/${HEARTBEAT_FOLDER}/${hb.watcherId}`, { max_versions: 5 }).catch(() => undefined);
}

interface KvRead {
  data?: { data?: Record<string, unknown>; metadata?: { created_time?: string } };
}

const str = (v: unknown, max = 255): string => (typeof v === 'string' ? v.slice(0, max) : '');
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** One heartbeat as the app shows it; anything malformed in it is dropped, never trusted. */
export function watcherView(id: string, body: KvRead, nowMs: number): WatcherView | null {
  const d = body.data?.data;
  const created = Date.parse(body.data?.metadata?.created_time ?? '');
  if (!d || !Number.isFinite(created)) return null;
  const pages = Array.isArray(d.open_pages) ? d.open_pages.slice(0, 20).flatMap((p) => {
    const r = OpenPageSchema.safeParse(p);
    return r.success ? [{ ...r.data, summary: r.data.summary.slice(0, 300) }] : [];
  }) : [];
  const age = Math.max(0, (nowMs - created) / 1000);
  const started = Date.parse(str(d.started_at, 40));
  return {
    id,
    host: str(d.host) || id,
    version: str(d.version, 64) || 'unknown',
    lastSeenAt: new Date(created).toISOString(),
    ageSeconds: Math.round(age),
    startedAt: Number.isFinite(started) ? new Date(started).toISOString() : null,
    pollSeconds: num(d.poll_seconds),
    openPages: pages,
    outboxPending: Math.max(0, Math.trunc(num(d.outbox_pending) ?? 0)),
    stale: age > WATCHER_STALE_MINUTES * 60,
  };
}

/** Every watcher's heartbeat for this cluster, newest first; `unavailable` says why none could be read. */
export async function readWatchStatus(client: VaultClient | null, watchMount: string, nowMs: number): Promise<WatchStatus> {
  const base = { staleAfterMinutes: WATCHER_STALE_MINUTES, checkedAt: new Date(nowMs).toISOString() };
  if (!client) return { ...base, watchers: [], newestSeenAt: null, stale: true, unavailable: 'Sign in to see whether a watcher runs for this cluster.' };
  let keys: string[] = [];
  try {
    const list = await client.request<{ data?: { keys?: unknown } }>('LIST', `${watchMount}/metadata/${HEARTBEAT_FOLDER}`);
    keys = Array.isArray(list.data?.keys) ? (list.data.keys as unknown[]).filter((k): k is string => typeof k === 'string' && /^[a-z0-9][a-z0-9-]{0,62}$/.test(k)) : [];
  } catch (err) {
    const code = err instanceof AppError ? err.code : 'VAULT_ERROR';
    if (code === 'NOT_FOUND') return { ...base, watchers: [], newestSeenAt: null, stale: true, unavailable: null };
    const why =
      code === 'PERMISSION_DENIED'
        ? `Your policy does not allow reading watcher heartbeats (${watchMount}/metadata/${HEARTBEAT_FOLDER}).`
        : code === 'VAULT_SEALED'
          ? 'Vault is sealed: watcher heartbeats cannot be read.'
          : err instanceof AppError
            ? err.message
            : 'The watcher heartbeats could not be read.';
    return { ...base, watchers: [], newestSeenAt: null, stale: true, unavailable: why };
  }
  const views = (
    await Promise.all(
      keys.slice(0, MAX_WATCHERS).map(async (id) => {
        try {
          return watcherView(id, await client.request<KvRead>('GET', `${watchMount}/data/${HEARTBEAT_FOLDER}/${id}`), nowMs);
        } catch {
          return null;
        }
      }),
    )
  ).filter((v): v is WatcherView => v !== null);
  views.sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt));
  const newest = views[0] ?? null;
  return { ...base, watchers: views, newestSeenAt: newest?.lastSeenAt ?? null, stale: !newest || newest.stale, unavailable: null };
}
