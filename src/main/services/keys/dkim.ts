// DKIM signing keys (RFC 6376). RSA-2048 generation takes ~50-100 ms of CPU, so
// the async form is used: Node runs it on the libuv thread pool, off the event
// loop, and several run in parallel. Never log the private key.
import { createPublicKey, generateKeyPair, generateKeyPairSync } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

export const DKIM_BITS = 2048;

export interface DkimKey {
  /** PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), what OpenDKIM and rspamd read. */
  privateKey: string;
  /** The TXT record value published at <selector>._domainkey.<domain>. */
  txt: string;
}

export async function generateDkimKey(bits = DKIM_BITS): Promise<DkimKey> {
  const { privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKey, txt: dkimTxtFromPrivateKey(privateKey) };
}

export function generateDkimKeySync(bits = DKIM_BITS): DkimKey {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKey, txt: dkimTxtFromPrivateKey(privateKey) };
}

/** "v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo DER>" */
export function dkimTxtFromPrivateKey(privateKeyPem: string): string {
  const spki = createPublicKey(privateKeyPem).export({ type: 'spki', format: 'der' });
  return `v=DKIM1; k=rsa; p=${spki.toString('base64')}`;
}

/**
 * DNS TXT strings are at most 255 bytes each; a 2048-bit key's record is longer,
 * so zone files need it split into quoted chunks.
 */
export function splitTxtForDns(txt: string, chunk = 255): string[] {
  const parts: string[] = [];
  for (let i = 0; i < txt.length; i += chunk) parts.push(txt.slice(i, i + chunk));
  return parts;
}
