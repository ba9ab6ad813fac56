import { createPublicKey, createSign, createVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dkimTxtFromPrivateKey, generateDkimKey, splitTxtForDns } from '../../../../../src/main/services/keys/dkim';

describe('DKIM keys', () => {
  it('generates an RSA-2048 PKCS#8 key and a matching v=DKIM1 TXT value', async () => {
    const k = await generateDkimKey();
    expect(k.privateKey.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
    const pub = createPublicKey(k.privateKey);
    expect(pub.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(k.txt).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/]+=*$/);
    // p= is the SubjectPublicKeyInfo DER of the same key.
    const p = Buffer.from(k.txt.split('p=')[1]!, 'base64');
    const fromTxt = createPublicKey({ key: p, format: 'der', type: 'spki' });
    const msg = 'From: a@example.com';
    const sig = createSign('sha256').update(msg).sign(k.privateKey);
    expect(createVerify('sha256').update(msg).verify(fromTxt, sig)).toBe(true);
  });

  it('derives the TXT value from the private key alone, deterministically', async () => {
    const k = await generateDkimKey();
    expect(dkimTxtFromPrivateKey(k.privateKey)).toBe(k.txt);
  });

  it('splits a long TXT value into 255-byte strings for zone files', () => {
    const txt = `v=DKIM1; k=rsa; p=${'A'.repeat(392)}`;
    const parts = splitTxtForDns(txt);
    expect(parts.every((p) => p.length <= 255)).toBe(true);
    expect(parts.join('')).toBe(txt);
  });
});
