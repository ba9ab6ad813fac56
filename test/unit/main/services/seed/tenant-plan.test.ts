import { describe, expect, it } from 'vitest';
import { MD, tenantId, isTenantId } from '../../../../../src/main/services/seed/layout';
import { createRng } from '../../../../../src/main/services/seed/rng';
import { classify, planRotation } from '../../../../../src/main/services/seed/rotation-plan';
import { planTenant } from '../../../../../src/main/services/seed/tenant-plan';
import { slugify } from '../../../../../src/main/services/seed/tenant-names';
import type { DkimSource } from '../../../../../src/main/services/seed/dkim-pool';

const NOW = new Date('2026-01-15T12:00:00Z');
// A fixed stand-in key: these tests check the plan's shape, not RSA (keys/dkim.test.ts does).
const fakeDkim: DkimSource = { next: async () => ({ privateKey: 'PEM', txt: 'v=DKIM1; k=rsa; p=AAAA' }), generated: 0 };

describe('tenant ids', () => {
  it('are t- plus at least six digits', () => {
    expect(tenantId(42)).toBe('t-000042');
    expect(tenantId(1234567)).toBe('t-1234567');
    expect(isTenantId('t-000042')).toBe(true);
    expect(isTenantId('t-42')).toBe(false);
  });
});

describe('planTenant', () => {
  it('is deterministic in its non-secret choices for a given seed and index', async () => {
    const a = await planTenant({ index: 7, seed: 's', now: NOW, dkim: fakeDkim });
    const b = await planTenant({ index: 7, seed: 's', now: NOW, dkim: fakeDkim });
    expect(a.name).toBe(b.name);
    expect(a.vpsIp).toBe(b.vpsIp);
    expect(a.domains).toEqual(b.domains);
    expect(a.writes.map((w) => [w.path, w.customMetadata[MD.nextRotation]])).toEqual(b.writes.map((w) => [w.path, w.customMetadata[MD.nextRotation]]));
    // Key material is fresh every time.
    expect(a.writes[0]!.customMetadata[MD.fingerprint]).not.toBe(b.writes[0]!.customMetadata[MD.fingerprint]);
  });

  it('writes the documented layout, profile last', async () => {
    const p = await planTenant({ index: 3, seed: 's', now: NOW, dkim: fakeDkim });
    const paths = p.writes.map((w) => w.path);
    expect(paths[0]).toBe('t-000003/ssh/admin');
    expect(paths[1]).toBe('t-000003/ssh/tenant');
    expect(paths[2]).toBe('t-000003/smtp/admin');
    expect(paths.at(-1)).toBe('t-000003/profile');
    const api = paths.filter((x) => x.startsWith('t-000003/api/'));
    const dkim = paths.filter((x) => x.startsWith('t-000003/dkim/'));
    expect(api.length).toBeGreaterThanOrEqual(1);
    expect(api.length).toBeLessThanOrEqual(5);
    expect(dkim.length).toBe(p.domains.length);
    expect(p.domains.length).toBeGreaterThanOrEqual(1);
    expect(p.domains.length).toBeLessThanOrEqual(3);
  });

  it('puts only strings in custom_metadata and never a secret', async () => {
    const p = await planTenant({ index: 9, seed: 's', now: NOW, dkim: fakeDkim });
    for (const w of p.writes) {
      expect(w.customMetadata[MD.schema]).toBe('1');
      expect(w.customMetadata[MD.type]).toBe(w.type);
      for (const v of Object.values(w.customMetadata)) {
        expect(typeof v).toBe('string');
        expect(v.length).toBeLessThanOrEqual(512);
        expect(v).not.toMatch(/PRIVATE KEY|pm_(live|test)_[A-Za-z0-9]{40}/);
      }
      if (w.type === 'smtp') expect(Object.values(w.customMetadata)).not.toContain(w.data.password);
    }
  });

  it('stores an API key only as hash and prefix', async () => {
    const p = await planTenant({ index: 11, seed: 's', now: NOW, dkim: fakeDkim });
    for (const w of p.writes.filter((x) => x.type === 'api')) {
      expect(Object.keys(w.data).sort()).toEqual(['created_at', 'hash', 'key_id', 'last_used_at', 'permissions', 'prefix', 'rate_limit_per_minute', 'request_count']);
      expect(w.data.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });

  it('gives SMTP a username admin@<domain> and webmail https://mail.<domain>', async () => {
    const p = await planTenant({ index: 5, seed: 's', now: NOW, dkim: fakeDkim });
    const smtp = p.writes.find((w) => w.type === 'smtp')!;
    expect(smtp.data.username).toBe(`admin@${p.domains[0]}`);
    expect(smtp.data.webmail_url).toBe(`https://mail.${p.domains[0]}`);
  });

  it('produces some unicode tenant names over many tenants', async () => {
    const names = await Promise.all(Array.from({ length: 200 }, (_, i) => planTenant({ index: i + 1, seed: 's', now: NOW, dkim: fakeDkim }).then((p) => p.name)));
    expect(names.some((n) => [...n].some((ch) => ch.charCodeAt(0) > 127))).toBe(true);
  });
});

describe('rotation plan', () => {
  it('covers every bucket and agrees with classify()', () => {
    const rng = createRng('dist');
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const type = (['ssh', 'smtp', 'api', 'dkim'] as const)[i % 4]!;
      const s = planRotation(rng, type, NOW);
      seen.add(s.bucket);
      const md = { [MD.status]: s.status, [MD.nextRotation]: s.nextRotation.toISOString() };
      expect(classify(md, NOW)).toBe(s.bucket);
      if (s.bucket === 'revoked') expect(type).toBe('api');
    }
    expect([...seen].sort()).toEqual(['due30', 'due7', 'expired', 'healthy', 'overdue', 'revoked']);
  });
});

describe('slugify', () => {
  it('makes DNS-safe labels and drops company suffixes', () => {
    expect(slugify('Müller & Söhne GmbH')).toBe('muller-and-sohne');
    expect(slugify('Northwind Logistics Inc.')).toBe('northwind-logistics');
    expect(slugify('株式会社さくら通信')).toBe('');
  });
});
