// Backups: run (raft snapshot or logical export, encrypted on the way to S3),
// catalog, restore, restore drill and retention. Electron-free: the app, the
// CLI and tests construct it with their own Vault client, config and catalog.
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Writable, type Readable } from 'node:stream';
import { AppError } from '../../../shared/errors';
import { createLogger } from '../log/logger';
import type { BackupKind, BackupRecord, BackupRepo } from '../storage/backup-repo';
import type { Clock } from '../time/clock';
import { createKvStore } from '../vault/kv';
import type { VaultClient } from '../vault/vault-client';
import type { BackupConfig } from './backup-config';
import { DecryptStream, DEFAULT_FRAME_SIZE, EncryptStream, IntegrityError, type BackupHeader } from './frame-crypto';
import { exportMount, parseRecords, restoreRecords } from './logical';
import { s3Error, S3Store, type LifecycleRuleView } from './s3-store';
import { newDataKey, unwrapDataKey } from './transit-keys';
import { streamTarget, vaultGetStream, vaultPostStream } from './vault-stream';

const log = createLogger('backup');

export type BackupPhase = 'starting' | 'streaming' | 'verifying' | 'completed' | 'failed';

export interface BackupProgress {
  id: string;
  operation: 'backup' | 'restore' | 'verify';
  phase: BackupPhase;
  bytes: number;
  items: number;
  message: string | null;
}

export interface BackupServiceDeps {
  repo: BackupRepo;
  clock: Clock;
  config: () => Promise<BackupConfig>;
  /** The signed-in client (session in the app, VAULT_TOKEN in the CLI). */
  client: () => VaultClient;
  actor: () => string;
  onProgress?: (p: BackupProgress) => void;
}

export interface RestoreOptions {
  /** raft: the whole cluster from a snapshot; mount / tenant: a logical backup written as new versions. */
  scope: 'raft' | 'mount' | 'tenant';
  tenantId?: string;
  /** For raft restores: a client re-authenticated for this restore (sudo on the snapshot endpoints). */
  client?: VaultClient;
  /** Restore a snapshot taken on another cluster (a scratch server, a rebuilt cluster). */
  force?: boolean;
}

export interface RestoreResult {
  id: string;
  scope: RestoreOptions['scope'];
  bytes: number;
  written: number | null;
}

export interface DrillOptions {
  /** The scratch server, with a token that may restore into it. */
  scratch: VaultClient;
  /** For raft drills: the source cluster's unseal keys (a restored snapshot brings its own barrier). */
  unsealKeys?: string[];
  /** For raft drills: a token valid in the restored data; defaults to the live client's. */
  readToken?: string;
  samples?: number;
}

export interface DrillResult {
  id: string;
  verifiedAt: string;
  checked: string[];
}

export interface BackupStatusView {
  lastSuccessAt: Date | null;
  lastAttemptFailed: boolean;
  bucketVersioning: boolean | null;
  lastVerifiedAt: Date | null;
}

/** yyyymmddThhmmssZ-<random>: sorts by time, unique across hosts. */
export function newBackupId(nowMs: number): string {
  const iso = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${iso}-${randomBytes(3).toString('hex')}`;
}

const ID_RE = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

export class BackupService {
  private running: AbortController | null = null;
  /** Bumped whenever the catalog changes here, so cached status views know to refresh. */
  revision = 0;

  constructor(private readonly deps: BackupServiceDeps) {
    // Nothing runs yet in this process: a "running" row is a run a restart cut short.
    const n = deps.repo.markInterrupted(new Date(deps.clock.now()).toISOString());
    if (n > 0) log.warn(`marked ${n} interrupted backup(s) failed`);
  }

  private iso(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  private progress(p: BackupProgress): void {
    this.deps.onProgress?.(p);
  }

  private objectKey(cfg: BackupConfig, id: string, kind: BackupKind): string {
    return `${cfg.prefix}backups/${id}.${kind}.vcb`;
  }

  private manifestKey(cfg: BackupConfig, id: string): string {
    return `${cfg.prefix}manifests/${id}.json`;
  }

  /** raft when Vault's storage is integrated storage, logical otherwise. */
  async detectKind(client: VaultClient): Promise<BackupKind> {
    const s = await client.request<{ storage_type?: string }>('GET', 'sys/seal-status');
    return s?.storage_type === 'raft' ? 'raft' : 'logical';
  }

  cancel(): boolean {
    if (!this.running) return false;
    this.running.abort(new AppError('CANCELLED', 'Backup cancelled by the user.'));
    return true;
  }

  /** Force Backup Now / the daily run. Resolves with the catalog record, completed or failed. */
  async run(opts: { kind?: BackupKind } = {}): Promise<BackupRecord> {
    if (this.running) throw new AppError('CONFLICT', 'A backup is already running.');
    const abort = new AbortController();
    this.running = abort;
    try {
      return await this.runLocked(opts, abort.signal);
    } finally {
      this.running = null;
      this.revision++;
    }
  }

  private async runLocked(opts: { kind?: BackupKind }, signal: AbortSignal): Promise<BackupRecord> {
    const cfg = await this.deps.config();
    const client = this.deps.client();
    const started = this.deps.clock.now();
    let kind: BackupKind = opts.kind ?? 'raft';
    let detectError: unknown = null;
    if (!opts.kind) {
      // A Vault that cannot be asked is a failed attempt too: record it, the health card must turn red.
      kind = await this.detectKind(client).catch((err: unknown) => {
        detectError = err;
        return 'raft' as const;
      });
    }
    const id = newBackupId(started);
    const rec: BackupRecord = {
      id,
      kind,
      status: 'running',
      startedAt: new Date(started).toISOString(),
      finishedAt: null,
      durationMs: null,
      sizeBytes: null,
      sha256: null,
      bucket: cfg.bucket,
      objectKey: this.objectKey(cfg, id, kind),
      versionId: null,
      actor: this.deps.actor(),
      mount: kind === 'logical' ? cfg.kvMount : null,
      itemCount: null,
      error: null,
      verifiedAt: null,
      deletedAt: null,
    };
    this.deps.repo.upsert(rec);
    log.info(`backup ${id} started kind=${kind} by ${rec.actor}`);
    const report = (phase: BackupPhase, bytes: number, items: number, message: string | null = null) =>
      this.progress({ id, operation: 'backup', phase, bytes, items, message });
    report('starting', 0, 0);
    const s3 = new S3Store(cfg);
    let key: Buffer | null = null;
    let items = 0;
    let source: Readable | null = null;
    let enc: EncryptStream | null = null;
    try {
      if (detectError) throw detectError;
      const dk = await newDataKey(client, { mount: cfg.transitMount, key: cfg.transitKey });
      key = dk.key;
      const header: BackupHeader = {
        v: 1,
        alg: 'AES-256-GCM',
        frameSize: DEFAULT_FRAME_SIZE,
        kind,
        backupId: id,
        createdAt: rec.startedAt,
        wrappedKey: dk.wrapped,
        transitKey: `${cfg.transitMount}/${cfg.transitKey}`,
        ...(kind === 'logical' ? { mount: cfg.kvMount } : {}),
      };
      source =
        kind === 'raft'
          ? await vaultGetStream(streamTarget(client), 'sys/storage/raft/snapshot')
          : exportMount(client, cfg.kvMount, () => {
              items++;
            });
      const encrypted = new EncryptStream(key, header);
      enc = encrypted;
      const piping = pipeline(source, encrypted, { signal }).catch((err: unknown) => {
        encrypted.destroy(err as Error);
      });
      const up = await s3.upload(
        rec.objectKey,
        encrypted,
        { 'vc-backup-id': id, 'vc-kind': kind, 'vc-format': 'VCB1', 'vc-actor': rec.actor.slice(0, 200) },
        (bytes) => report('streaming', bytes, items),
        signal,
      );
      await piping;
      // A restore point only once the stored bytes read back with the checksum we computed.
      report('verifying', up.size, items);
      const stored = await s3.sha256(rec.objectKey, up.versionId, signal);
      if (stored.sha256 !== up.sha256 || stored.size !== up.size) throw new IntegrityError(`the uploaded object does not read back with the checksum computed while uploading`);
      const done: BackupRecord = {
        ...rec,
        status: 'completed',
        finishedAt: this.iso(),
        durationMs: this.deps.clock.now() - started,
        sizeBytes: up.size,
        sha256: up.sha256,
        versionId: up.versionId,
        itemCount: kind === 'logical' ? items : null,
      };
      await s3.putJson(this.manifestKey(cfg, id), done);
      this.deps.repo.upsert(done);
      log.info(`backup ${id} completed kind=${kind} bytes=${up.size} sha256=${up.sha256.slice(0, 12)}`);
      report('completed', up.size, items);
      return done;
    } catch (err) {
      // Stop reading from Vault: an upload that failed must not leave the snapshot stream open.
      source?.destroy();
      enc?.destroy();
      const reason = err instanceof AppError ? err.message : 'Internal error; see the log.';
      const failed: BackupRecord = { ...rec, status: 'failed', finishedAt: this.iso(), durationMs: this.deps.clock.now() - started, error: reason };
      this.deps.repo.upsert(failed);
      log.error(`backup ${id} failed`, err);
      report('failed', 0, items, reason);
      // Best effort: other hosts see the failure too when S3 itself is fine.
      await s3.putJson(this.manifestKey(cfg, id), failed).catch(() => undefined);
      return failed;
    } finally {
      key?.fill(0);
      s3.close();
    }
  }

  /** The last `limit` backups, after reading manifests other hosts (the daily CLI run) wrote. */
  async list(limit = 30, opts: { sync?: boolean } = {}): Promise<BackupRecord[]> {
    if (opts.sync !== false) await this.sync().catch((err: unknown) => log.warn(`catalog sync from S3 skipped: ${err instanceof AppError ? err.message : 'error'}`));
    return this.deps.repo.recent(limit);
  }

  /** Reads manifests this catalog does not know yet (or knows as running). */
  async sync(): Promise<number> {
    const cfg = await this.deps.config();
    const s3 = new S3Store(cfg);
    let n = 0;
    try {
      for (const o of await s3.list(`${cfg.prefix}manifests/`)) {
        const id = o.key.slice(o.key.lastIndexOf('/') + 1).replace(/\.json$/, '');
        if (!ID_RE.test(id)) continue;
        const known = this.deps.repo.get(id);
        if (known && known.status !== 'running') continue;
        const m = (await s3.getJson(o.key)) as BackupRecord;
        if (m?.id !== id) continue;
        this.deps.repo.upsert({ ...m, status: m.status === 'running' ? 'failed' : m.status });
        n++;
      }
    } finally {
      s3.close();
    }
    return n;
  }

  get(id: string): BackupRecord {
    if (!ID_RE.test(id)) throw new AppError('BAD_INPUT', 'backup id is not valid');
    const rec = this.deps.repo.get(id);
    if (!rec) throw new AppError('NOT_FOUND', `backup ${id} is not in the catalog`);
    return rec;
  }

  private restorePoint(id: string): BackupRecord {
    const rec = this.get(id);
    if (rec.status !== 'completed' || !rec.sha256) throw new AppError('CONFLICT', `backup ${id} is ${rec.status}, not a restore point`);
    return rec;
  }

  /**
   * Pass 1: read the whole object, hash it and authenticate every frame, writing
   * nothing anywhere. Returns the unwrapped data key for pass 2 (the caller wipes it).
   */
  private async checkObject(s3: S3Store, cfg: BackupConfig, rec: BackupRecord, client: VaultClient): Promise<{ key: Buffer; header: BackupHeader }> {
    const body = await s3.download(rec.objectKey, rec.versionId);
    const hash = createHash('sha256');
    let key: Buffer | null = null;
    const dec = new DecryptStream(async (h) => {
      key = await unwrapDataKey(client, { mount: cfg.transitMount, key: cfg.transitKey }, h.wrappedKey);
      return Buffer.from(key);
    });
    let decErr: unknown = null;
    dec.on('error', (e) => {
      decErr ??= e;
    });
    dec.resume();
    try {
      for await (const c of body) {
        hash.update(c as Buffer);
        if (decErr) continue;
        if (!dec.write(c)) {
          await new Promise<void>((resolve) => {
            // One set of listeners per wait, removed together (Promise.race over once() would leak the losers).
            const done = () => {
              dec.off('drain', done).off('close', done).off('error', done);
              resolve();
            };
            dec.on('drain', done).on('close', done).on('error', done);
          });
        }
      }
    } catch (err) {
      const wipe = () => (key as Buffer | null)?.fill(0);
      wipe();
      // The SDK checks S3's own stored checksum while streaming: a mismatch there is the same verdict.
      if (err instanceof Error && /checksum mismatch/i.test(err.message)) {
        throw new IntegrityError(`checksum mismatch for backup ${rec.id}: S3's stored checksum does not match the bytes read; nothing was restored`);
      }
      throw s3Error(err, `read backup ${rec.id}`);
    }
    if (!decErr) {
      dec.end();
      await once(dec, 'end').catch(() => undefined);
      if (!decErr && !dec.readableEnded) await once(dec, 'close').catch(() => undefined);
    }
    const sha = hash.digest('hex');
    const wipe = () => (key as Buffer | null)?.fill(0);
    if (sha !== rec.sha256) {
      wipe();
      throw new IntegrityError(`checksum mismatch for backup ${rec.id}: the stored object no longer matches the SHA-256 recorded when it was made; nothing was restored`);
    }
    if (decErr) {
      wipe();
      throw decErr;
    }
    if (!key || !dec.parsedHeader) throw new IntegrityError('the backup has no header');
    return { key, header: dec.parsedHeader };
  }

  /** Restore from a listed point. Verifies the whole object first, so a bad one changes nothing. */
  async restore(id: string, opts: RestoreOptions): Promise<RestoreResult> {
    const rec = this.restorePoint(id);
    const cfg = await this.deps.config();
    const live = this.deps.client();
    const target = opts.client ?? live;
    if (opts.scope === 'raft' && rec.kind !== 'raft') throw new AppError('BAD_INPUT', `backup ${id} is a logical backup; restore its mount or a tenant`);
    if (opts.scope !== 'raft' && rec.kind !== 'logical') throw new AppError('BAD_INPUT', `backup ${id} is a raft snapshot; only a whole-cluster restore applies`);
    if (opts.scope === 'tenant' && !opts.tenantId) throw new AppError('BAD_INPUT', 'a tenant restore needs a tenant id');
    const s3 = new S3Store(cfg);
    let key: Buffer | null = null;
    const report = (phase: BackupPhase, bytes: number, items: number, message: string | null = null) =>
      this.progress({ id, operation: 'restore', phase, bytes, items, message });
    try {
      report('verifying', 0, 0);
      const checked = await this.checkObject(s3, cfg, rec, live);
      key = checked.key;
      const k = key;
      report('streaming', 0, 0);
      const body = await s3.download(rec.objectKey, rec.versionId);
      const dec = new DecryptStream(async () => Buffer.from(k));
      let bytes = 0;
      let written: number | null = null;
      if (opts.scope === 'raft') {
        const plain = body.pipe(dec);
        body.on('error', (e) => dec.destroy(e));
        plain.on('data', (c: Buffer) => {
          bytes += c.length;
        });
        await vaultPostStream(streamTarget(target), opts.force ? 'sys/storage/raft/snapshot-force' : 'sys/storage/raft/snapshot', plain);
        log.info(`restore ${id} raft snapshot applied bytes=${bytes}${opts.force ? ' (force)' : ''}`);
      } else {
        body.on('error', (e) => dec.destroy(e));
        const mount = checked.header.mount ?? rec.mount ?? cfg.kvMount;
        const r = await restoreRecords(target, mount, parseRecords(body.pipe(dec)), {
          ...(opts.scope === 'tenant' ? { tenantId: opts.tenantId } : {}),
          onItem: () => undefined,
        });
        written = r.written;
        log.info(`restore ${id} logical scope=${opts.scope}${opts.tenantId ? ` tenant=${opts.tenantId}` : ''} written=${r.written}`);
      }
      report('completed', bytes, written ?? 0);
      return { id, scope: opts.scope, bytes, written };
    } catch (err) {
      report('failed', 0, 0, err instanceof AppError ? err.message : 'Internal error.');
      log.error(`restore ${id} refused or failed`, err);
      throw err;
    } finally {
      key?.fill(0);
      s3.close();
    }
  }

  /**
   * Restore drill: the latest (or given) restore point into a scratch server, then
   * compare sample secrets with the live Vault. Records "last verified restorable".
   */
  async drill(opts: DrillOptions, id?: string): Promise<DrillResult> {
    const rec = id ? this.restorePoint(id) : this.deps.repo.lastSuccess();
    if (!rec) throw new AppError('NOT_FOUND', 'No completed backup to verify.');
    const live = this.deps.client();
    const cfg = await this.deps.config();
    const samples = Math.max(1, Math.min(opts.samples ?? 5, 50));
    const checked: string[] = [];
    if (rec.kind === 'raft') {
      await this.restore(rec.id, { scope: 'raft', client: opts.scratch, force: true });
      await unsealScratch(opts.scratch, opts.unsealKeys ?? []);
      const readToken = opts.readToken ?? streamTarget(live).token;
      const prev = streamTarget(opts.scratch).token;
      opts.scratch.setToken(readToken);
      try {
        await compareSamples(live, opts.scratch, cfg.kvMount, samples, checked, 'same-version');
      } finally {
        opts.scratch.setToken(prev);
      }
    } else {
      await this.restore(rec.id, { scope: 'mount', client: opts.scratch });
      await compareSamples(live, opts.scratch, rec.mount ?? cfg.kvMount, samples, checked, 'latest');
    }
    const at = this.iso();
    this.deps.repo.markVerified(rec.id, at);
    this.revision++;
    const s3 = new S3Store(cfg);
    await s3.putJson(this.manifestKey(cfg, rec.id), { ...this.deps.repo.get(rec.id) }).catch(() => undefined);
    s3.close();
    log.info(`drill ${rec.id} verified ${checked.length} sample secrets`);
    return { id: rec.id, verifiedAt: at, checked };
  }

  /** Deletes backups older than the retention policy (the exact S3 version, so the bytes go). */
  async applyRetention(): Promise<{ deleted: string[]; cutoff: string }> {
    const cfg = await this.deps.config();
    await this.sync().catch(() => undefined);
    const cutoff = new Date(this.deps.clock.now() - cfg.retentionDays * 86_400_000).toISOString();
    const s3 = new S3Store(cfg);
    const deleted: string[] = [];
    try {
      for (const r of this.deps.repo.olderThan(cutoff)) {
        if (r.status === 'completed') await s3.deleteVersion(r.objectKey, r.versionId);
        await s3.deleteVersion(this.manifestKey(cfg, r.id), null).catch(() => undefined);
        this.deps.repo.markDeleted(r.id, this.iso());
        deleted.push(r.id);
        log.info(`retention deleted backup ${r.id} (older than ${cfg.retentionDays} days)`);
      }
    } finally {
      s3.close();
    }
    return { deleted, cutoff };
  }

  async lifecycle(): Promise<{ versioning: boolean | null; rules: LifecycleRuleView[]; retentionDays: number }> {
    const cfg = await this.deps.config();
    const s3 = new S3Store(cfg);
    try {
      const versioning = await s3.versioningEnabled().catch(() => null);
      const rules = await s3.lifecycleRules(cfg.prefix).catch(() => []);
      return { versioning, rules, retentionDays: cfg.retentionDays };
    } finally {
      s3.close();
    }
  }

  /** What the health dashboard's backup cards read. */
  async status(): Promise<BackupStatusView | null> {
    await this.sync().catch(() => undefined);
    const last = this.deps.repo.lastAttempt();
    if (!last) return null;
    const ok = this.deps.repo.lastSuccess();
    const verified = this.deps.repo.lastVerified();
    let versioning: boolean | null = null;
    try {
      versioning = (await this.lifecycle()).versioning;
    } catch {
      versioning = null;
    }
    return {
      lastSuccessAt: ok?.finishedAt ? new Date(ok.finishedAt) : null,
      lastAttemptFailed: last.status === 'failed',
      bucketVersioning: versioning,
      lastVerifiedAt: verified?.verifiedAt ? new Date(verified.verifiedAt) : null,
    };
  }
}

async function unsealScratch(scratch: VaultClient, keys: string[]): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const s = await scratch.request<{ sealed?: boolean }>('GET', 'sys/seal-status').catch(() => null);
    if (s && s.sealed === false) {
      const h = await scratch.request<{ standby?: boolean }>('GET', 'sys/health').catch(() => null);
      if (h && !h.standby) return;
    } else if (s?.sealed) {
      if (keys.length === 0) throw new AppError('VAULT_SEALED', 'The scratch server sealed itself after the restore (the snapshot brings its own barrier); give the source cluster unseal keys to finish the drill.');
      for (const k of keys) {
        const r = await scratch.request<{ sealed?: boolean }>('PUT', 'sys/unseal', { key: k }).catch(() => null);
        if (r && r.sealed === false) break;
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new AppError('VAULT_UNREACHABLE', 'The scratch server did not become active after the restore.');
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** The first secret (not folder) under prefix, depth-first, or null if there is none. */
async function firstLeaf(store: ReturnType<typeof createKvStore>, prefix: string, depth = 0): Promise<string | null> {
  const entries = await store.list(prefix);
  const leaf = entries.find((k) => !k.endsWith('/'));
  if (leaf) return `${prefix}${leaf}`;
  if (depth >= 4) return null;
  for (const folder of entries) {
    const found = await firstLeaf(store, `${prefix}${folder}`, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Compares sample secrets: same version on both sides (raft) or the scratch's latest with the live one (logical). */
async function compareSamples(live: VaultClient, scratch: VaultClient, mount: string, n: number, checked: string[], mode: 'same-version' | 'latest'): Promise<void> {
  const s = createKvStore(scratch, mount);
  const l = createKvStore(live, mount);
  const tenants = (await s.list('')).filter((k) => k.endsWith('/'));
  if (tenants.length === 0) throw new AppError('NOT_FOUND', `The restored ${mount} mount is empty: nothing to verify.`);
  const step = Math.max(1, Math.floor(tenants.length / n));
  for (let i = 0; i < tenants.length && checked.length < n; i += step) {
    // A tenant folder may hold only subfolders (ssh/, smtp/, ...): sample a real leaf.
    const path = await firstLeaf(s, tenants[i]!);
    if (!path) continue;
    const restored = await s.read(path);
    if (!restored) throw new AppError('NOT_FOUND', `Drill: ${path} is missing from the restored server.`);
    const original = await l.read(path, mode === 'same-version' ? restored.version : undefined);
    if (!original || canonical(original.data) !== canonical(restored.data)) {
      throw new IntegrityError(`drill: ${path} differs between the restored server and the live Vault`);
    }
    checked.push(path);
  }
  if (checked.length === 0) throw new AppError('NOT_FOUND', `The restored ${mount} mount holds no secret to verify.`);
}

/** A Writable that drops everything (used by tests and the bench to drain streams). */
export function sink(): Writable {
  return new Writable({ write: (_c, _e, cb) => cb() });
}
