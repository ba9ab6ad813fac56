// Shared by the reveal integration and end-to-end tests: a throwaway Vault user with the
// console's admin policy (so failed attempts never trip Vault's userpass lockout of the
// shared `admin` user), and real TOTP codes from otplib, cross-checked with oathtool.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { generate } from 'otplib';

type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>;

export function rootCaller(addr: string, rootToken: string): Call {
  return async (method, path, body) => {
    const res = await fetch(`${addr}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': rootToken, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : {} };
  };
}

export async function createRevealUser(call: Call, prefix: string): Promise<{ username: string; password: string }> {
  const username = `${prefix}-${randomBytes(3).toString('hex')}`;
  const password = randomBytes(18).toString('base64url');
  const r = await call('POST', `auth/userpass/users/${username}`, { password, token_policies: 'vault-console-admin', token_ttl: '1h' });
  if (r.status >= 300) throw new Error(`creating ${username} failed with ${r.status}`);
  return { username, password };
}

export function secretOf(otpauthUrl: string): string {
  const secret = new URL(otpauthUrl).searchParams.get('secret');
  if (!secret) throw new Error('otpauth URL has no secret');
  return secret;
}

/** The code for a moment, from otplib, and the same from Debian's oathtool: they must agree. */
export async function codeAt(secret: string, epochSeconds: number): Promise<string> {
  const code = await generate({ secret, epoch: epochSeconds });
  const when = new Date(epochSeconds * 1000).toISOString().replace('T', ' ').slice(0, 19);
  const oath = execFileSync('oathtool', ['--totp', '-b', `--now=${when} UTC`, secret], { encoding: 'utf8' }).trim();
  if (oath !== code) throw new Error(`otplib (${code}) and oathtool (${oath}) disagree`);
  return code;
}

/**
 * Codes Vault accepts now and that were not used yet: Vault accepts one period of skew
 * and refuses a code it has seen, so successive successes use now, then now + 30 s, then
 * now - 30 s, then wait for the next period.
 */
export class CodeSource {
  private used = new Set<string>();
  constructor(private readonly secret: string) {}

  async valid(): Promise<string> {
    // Every code of the skew window used (enrolment takes one too): wait for the next period.
    for (let attempt = 0; attempt < 40; attempt++) {
      const now = Math.floor(Date.now() / 1000);
      for (const offset of [0, 30, -30]) {
        const code = await codeAt(this.secret, now + offset);
        if (!this.used.has(code)) {
          this.used.add(code);
          return code;
        }
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    throw new Error('no unused valid code in the skew window');
  }

  /** A well-formed code that is not valid now (a code from hours away, checked against the window). */
  async wrong(i: number): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const near = new Set(await Promise.all([-30, 0, 30, 60].map((o) => codeAt(this.secret, now + o))));
    for (let k = 0; ; k++) {
      const code = await codeAt(this.secret, now + 3600 * (i + 1) + 30 * k);
      if (!near.has(code) && !this.used.has(code)) {
        this.used.add(code);
        return code;
      }
    }
  }
}
