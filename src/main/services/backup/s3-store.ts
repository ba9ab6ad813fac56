// The backup bucket: streaming multipart upload (one part in memory at a time),
// streaming download pinned to a version, manifests, versioning and lifecycle
// reads. Every S3 failure becomes an AppError naming the action, never a credential.
import { createHash } from 'node:crypto';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { AppError } from '../../../shared/errors';
import type { BackupConfig } from './backup-config';

export const PART_SIZE = 8 * 1024 * 1024;

export interface UploadResult {
  versionId: string | null;
  size: number;
  sha256: string;
}

export interface LifecycleRuleView {
  id: string;
  prefix: string;
  expirationDays: number | null;
  noncurrentDays: number | null;
  enabled: boolean;
}

export function s3Error(err: unknown, action: string): AppError {
  if (err instanceof AppError) return err;
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  const status = e.$metadata?.httpStatusCode;
  if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|EAI_AGAIN|EPIPE/.test(`${code} ${e.message ?? ''}`) || e.name === 'TimeoutError') {
    return new AppError('STORAGE_UNREACHABLE', `S3 is unreachable (${action}): ${code || e.name || 'connection failed'}.`);
  }
  if (status === 403 || e.name === 'AccessDenied' || e.name === 'InvalidAccessKeyId' || e.name === 'SignatureDoesNotMatch') {
    return new AppError('PERMISSION_DENIED', `S3 refused ${action} (${e.name ?? status}).`);
  }
  if (status === 404 || e.name === 'NoSuchKey' || e.name === 'NoSuchBucket' || e.name === 'NotFound') {
    return new AppError('NOT_FOUND', `S3: not found (${action}${e.name ? `: ${e.name}` : ''}).`);
  }
  return new AppError('INTERNAL', `S3 ${action} failed: ${e.name ?? 'error'}${status ? ` (${status})` : ''}.`);
}

export class S3Store {
  readonly client: S3Client;

  constructor(private readonly cfg: BackupConfig) {
    this.client = new S3Client({
      region: cfg.region,
      ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
      // Where backups go is the settings' choice (backup:configure): never AWS_ENDPOINT_URL_S3,
      // AWS_ENDPOINT_URL or an AWS config file's endpoint_url from the environment.
      ignoreConfiguredEndpointUrls: true,
      forcePathStyle: cfg.forcePathStyle,
      // Without explicit keys the SDK's default chain (env, profile, instance role) applies.
      ...(cfg.credentials ? { credentials: cfg.credentials } : {}),
      maxAttempts: 2,
      // Our own agent: certificates are always verified (rejectUnauthorized set, so
      // NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment cannot turn it off), TLS 1.2 at least.
      // A private CA comes in through NODE_EXTRA_CA_CERTS, which adds to the trusted roots.
      requestHandler: { httpsAgent: new HttpsAgent({ keepAlive: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' }) },
      // Our own SHA-256 over the whole object is the verdict; the SDK's per-response check would pre-empt it with a vaguer error.
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  get bucket(): string {
    return this.cfg.bucket;
  }

  private sse(): { ServerSideEncryption?: ServerSideEncryption; SSEKMSKeyId?: string } {
    if (this.cfg.sse === 'none') return {};
    return { ServerSideEncryption: this.cfg.sse as ServerSideEncryption, ...(this.cfg.sse === 'aws:kms' && this.cfg.kmsKeyId ? { SSEKMSKeyId: this.cfg.kmsKeyId } : {}) };
  }

  /** Multipart upload of a stream; SHA-256 of the stored bytes computed on the way. Aborts the upload on any failure. */
  async upload(key: string, body: Readable, metadata: Record<string, string>, onProgress?: (bytes: number) => void, signal?: AbortSignal): Promise<UploadResult> {
    let uploadId: string | undefined;
    try {
      const created = await this.client.send(
        new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: 'application/octet-stream', Metadata: metadata, ...this.sse() }),
        { abortSignal: signal },
      );
      uploadId = created.UploadId;
      if (!uploadId) throw new AppError('INTERNAL', 'S3 returned no upload id');
      const hash = createHash('sha256');
      const parts: { ETag: string; PartNumber: number }[] = [];
      let size = 0;
      let pending: Buffer[] = [];
      let pendingLen = 0;
      const flush = async () => {
        const part = Buffer.concat(pending, pendingLen);
        pending = [];
        pendingLen = 0;
        const n = parts.length + 1;
        const res = await this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: n, Body: part, ContentLength: part.length }), { abortSignal: signal });
        parts.push({ ETag: res.ETag ?? '', PartNumber: n });
        size += part.length;
        onProgress?.(size);
      };
      for await (const chunk of body) {
        const b = chunk as Buffer;
        hash.update(b);
        pending.push(b);
        pendingLen += b.length;
        if (pendingLen >= PART_SIZE) await flush();
      }
      if (pendingLen > 0 || parts.length === 0) await flush();
      const done = await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
        { abortSignal: signal },
      );
      return { versionId: done.VersionId ?? null, size, sha256: hash.digest('hex') };
    } catch (err) {
      if (uploadId) {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
      }
      throw s3Error(err, `upload ${key}`);
    }
  }

  /** A streaming GET, pinned to a version when one is known (so a later overwrite can't swap the bytes). */
  async download(key: string, versionId: string | null, signal?: AbortSignal): Promise<Readable> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }), { abortSignal: signal });
      if (!(res.Body instanceof Readable)) throw new AppError('INTERNAL', 'S3 returned no body stream');
      return res.Body;
    } catch (err) {
      throw s3Error(err, `download ${key}`);
    }
  }

  /** SHA-256 of a stored object, read as a stream. */
  async sha256(key: string, versionId: string | null, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
    const body = await this.download(key, versionId, signal);
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const c of body) {
        hash.update(c as Buffer);
        size += (c as Buffer).length;
      }
    } catch (err) {
      throw s3Error(err, `read ${key}`);
    }
    return { sha256: hash.digest('hex'), size };
  }

  async putJson(key: string, value: unknown): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: JSON.stringify(value), ContentType: 'application/json', ...this.sse() }));
    } catch (err) {
      throw s3Error(err, `put ${key}`);
    }
  }

  async getJson(key: string): Promise<unknown> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const text = (await res.Body?.transformToString('utf8')) ?? '';
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw s3Error(err, `get ${key}`);
    }
  }

  async list(prefix: string): Promise<{ key: string; lastModified: Date | null; size: number }[]> {
    const out: { key: string; lastModified: Date | null; size: number }[] = [];
    let token: string | undefined;
    try {
      do {
        const res = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of res.Contents ?? []) if (o.Key) out.push({ key: o.Key, lastModified: o.LastModified ?? null, size: o.Size ?? 0 });
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw s3Error(err, `list ${prefix}`);
    }
    return out;
  }

  /** Deletes one version for good (a versioned bucket would otherwise only add a delete marker). */
  async deleteVersion(key: string, versionId: string | null): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
    } catch (err) {
      throw s3Error(err, `delete ${key}`);
    }
  }

  async versioningEnabled(): Promise<boolean> {
    try {
      const res = await this.client.send(new GetBucketVersioningCommand({ Bucket: this.bucket }));
      return res.Status === 'Enabled';
    } catch (err) {
      throw s3Error(err, 'get bucket versioning');
    }
  }

  /** Lifecycle rules that expire objects under the backup prefix; [] when the bucket has none. */
  async lifecycleRules(prefix: string): Promise<LifecycleRuleView[]> {
    try {
      const res = await this.client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: this.bucket }));
      return (res.Rules ?? [])
        .map((r) => ({
          id: r.ID ?? '',
          prefix: r.Filter?.Prefix ?? r.Prefix ?? '',
          expirationDays: r.Expiration?.Days ?? null,
          noncurrentDays: r.NoncurrentVersionExpiration?.NoncurrentDays ?? null,
          enabled: r.Status === 'Enabled',
        }))
        .filter((r) => prefix.startsWith(r.prefix) && (r.expirationDays !== null || r.noncurrentDays !== null));
    } catch (err) {
      const e = err as { name?: string };
      if (e.name === 'NoSuchLifecycleConfiguration' || e.name === 'NotImplemented') return [];
      throw s3Error(err, 'get bucket lifecycle');
    }
  }

  close(): void {
    this.client.destroy();
  }
}
