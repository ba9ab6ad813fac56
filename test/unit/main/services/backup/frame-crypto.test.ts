// The VCB1 stream format: round trips, and every kind of damage is refused.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DecryptStream, EncryptStream, IntegrityError, type BackupHeader } from '../../../../../src/main/services/backup/frame-crypto';

const header = (frameSize = 1024): BackupHeader => ({
  v: 1,
  alg: 'AES-256-GCM',
  frameSize,
  kind: 'raft',
  backupId: '20260101T000000Z-abcdef',
  createdAt: '2026-01-01T00:00:00.000Z',
  wrappedKey: 'vault:v1:test',
  transitKey: 'transit/vault-console-backup',
});

async function collect(stream: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of stream) out.push(c as Buffer);
  return Buffer.concat(out);
}

async function encrypt(plain: Buffer, key: Buffer, frameSize = 1024): Promise<Buffer> {
  // Feed in odd-sized chunks so frames never line up with writes.
  const chunks: Buffer[] = [];
  for (let i = 0; i < plain.length; i += 777) chunks.push(plain.subarray(i, i + 777));
  return collect(Readable.from(chunks).pipe(new EncryptStream(key, header(frameSize))));
}

async function decrypt(cipher: Buffer, key: Buffer, chunk = 500): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < cipher.length; i += chunk) chunks.push(cipher.subarray(i, i + chunk));
  return collect(Readable.from(chunks).pipe(new DecryptStream(async () => Buffer.from(key))));
}

describe('VCB1 frames', () => {
  const key = randomBytes(32);

  it.each([0, 1, 1023, 1024, 1025, 10_000])('round-trips %i bytes', async (n) => {
    const plain = randomBytes(n);
    const cipher = await encrypt(plain, key);
    expect(cipher.includes(plain.subarray(0, Math.min(n, 64))) && n >= 16).toBe(false);
    expect((await decrypt(cipher, key)).equals(plain)).toBe(true);
  });

  it('refuses an object with one flipped bit', async () => {
    const cipher = await encrypt(randomBytes(5000), key);
    for (const at of [cipher.length - 3, Math.floor(cipher.length / 2), 20]) {
      const bad = Buffer.from(cipher);
      bad[at]! ^= 0x10;
      await expect(decrypt(bad, key)).rejects.toThrow(IntegrityError);
    }
  });

  it('refuses a truncated object (final frame missing)', async () => {
    const cipher = await encrypt(randomBytes(5000), key);
    // The last frame here is the empty final one: 4+1+12 head + 16 tag.
    await expect(decrypt(cipher.subarray(0, cipher.length - 33), key)).rejects.toThrow(/truncated/);
    await expect(decrypt(cipher.subarray(0, cipher.length - 1), key)).rejects.toThrow(IntegrityError);
  });

  it('refuses data appended after the final frame', async () => {
    const cipher = await encrypt(randomBytes(100), key);
    await expect(decrypt(Buffer.concat([cipher, Buffer.from('extra-bytes-here-and-more')]), key)).rejects.toThrow(/after the final frame/);
  });

  it('refuses frames swapped in place', async () => {
    const cipher = await encrypt(randomBytes(2048), key, 1024);
    const headLen = 8 + cipher.readUInt32BE(4);
    const frame = 4 + 1 + 12 + 1024 + 16;
    const a = cipher.subarray(headLen, headLen + frame);
    const b = cipher.subarray(headLen + frame, headLen + 2 * frame);
    const swapped = Buffer.concat([cipher.subarray(0, headLen), b, a, cipher.subarray(headLen + 2 * frame)]);
    await expect(decrypt(swapped, key)).rejects.toThrow(/out of order/);
  });

  it('refuses the wrong data key', async () => {
    const cipher = await encrypt(randomBytes(100), key);
    await expect(decrypt(cipher, randomBytes(32))).rejects.toThrow(/failed authentication/);
  });

  it('refuses something that is not a backup', async () => {
    await expect(decrypt(Buffer.from('PK\u0003\u0004 not ours at all'), key)).rejects.toThrow(/bad magic/);
  });
});
