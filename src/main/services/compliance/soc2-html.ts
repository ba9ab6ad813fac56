// The SOC 2 report as one self-contained HTML page: inline CSS and SVG charts, no script,
// no external resource (a strict CSP says so), print rules for A4. Pure: the same report
// object gives the same bytes. Every figure comes from the JSON report (soc2-data.ts).
import type { Soc2Report } from '../../../shared/contracts/compliance';
import { barChart, esc, groupedColumns, num, PALETTE, pct, stackedShareChart } from './svg-charts';

const TYPE_LABEL: Record<string, string> = { ssh: 'SSH keys', smtp: 'SMTP credentials', dkim: 'DKIM keys', api: 'API keys' };
const TYPE_COLOR: Record<string, string> = { ssh: '#2b6cb0', smtp: '#2f855a', dkim: '#805ad5', api: '#b7791f' };

const CSS = `
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; font-size: 10.5px; color: #1a202c; margin: 0; }
main { max-width: 190mm; margin: 0 auto; padding: 8px; }
h1 { font-size: 20px; margin: 0 0 2px; }
h2 { font-size: 14px; margin: 18px 0 6px; border-bottom: 1.5px solid #2b6cb0; padding-bottom: 2px; break-after: avoid; }
h3 { font-size: 11.5px; margin: 10px 0 4px; break-after: avoid; }
p { margin: 4px 0; }
.meta { color: #4a5568; }
.kpis { display: flex; flex-wrap: wrap; gap: 6px; margin: 10px 0; }
.kpi { border: 1px solid #cbd5e0; border-radius: 4px; padding: 5px 8px; min-width: 30mm; break-inside: avoid; }
.kpi b { display: block; font-size: 15px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 1px solid #cbd5e0; padding: 2px 4px; text-align: left; vertical-align: top; }
th { background: #edf2f7; font-weight: bold; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 9.5px; }
.note { color: #4a5568; font-style: italic; }
.red { color: #c53030; font-weight: bold; }
.amber { color: #975a16; font-weight: bold; }
svg.chart { display: block; margin: 6px 0; break-inside: avoid; }
svg .ct { font-size: 11px; font-weight: bold; fill: #1a202c; }
svg .cl { font-size: 9.5px; fill: #2d3748; }
svg .cv { font-size: 9px; fill: #4a5568; }
footer { margin-top: 16px; border-top: 1px solid #cbd5e0; padding-top: 4px; color: #4a5568; font-size: 9px; }
`;

function table(head: Array<string | [string, 'n']>, rows: string[][], empty = 'None in this period.'): string {
  if (rows.length === 0) return `<p class="note">${esc(empty)}</p>`;
  const th = head.map((h) => (Array.isArray(h) ? `<th class="n">${esc(h[0])}</th>` : `<th>${esc(h)}</th>`)).join('');
  const numeric = head.map((h) => Array.isArray(h));
  const body = rows.map((r) => `<tr>${r.map((c, i) => (numeric[i] ? `<td class="n">${c}</td>` : `<td>${c}</td>`)).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const day = (isoTime: string) => isoTime.slice(0, 10);
const time = (isoTime: string) => isoTime.replace('T', ' ').slice(0, 19);
const listed = (shown: number, total: number) => (total > shown ? `<p class="note">Listed: the first ${num(shown)} of ${num(total)}; the evidence pack's JSON has the same list, the events file every event.</p>` : '');

export function renderSoc2Html(r: Soc2Report): string {
  const a = r.secretAccess;
  const rot = r.rotation;
  const title = `SOC 2 secret-access report ${day(r.period.from)} to ${day(r.period.to)}`;
  const s: string[] = [];
  s.push('<!DOCTYPE html>');
  s.push('<html lang="en"><head><meta charset="utf-8">');
  s.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  s.push(`<title>${esc(title)}</title><style>${CSS}</style></head><body><main>`);
  s.push(`<h1>Secret access report (SOC 2)</h1>`);
  s.push(`<p class="meta">Period <b>${esc(time(r.period.from))}</b> to <b>${esc(time(r.period.to))}</b> UTC · Vault <code>${esc(r.vault.address)}</code> · KV mount <code>${esc(r.vault.mount)}</code></p>`);
  s.push('<div class="kpis">');
  const kpi = (label: string, value: string) => s.push(`<div class="kpi">${esc(label)}<b>${value}</b></div>`);
  kpi('Identities that read secrets', num(a.totals.identities));
  kpi('Reveals', num(a.totals.reveals));
  kpi('Downloads', num(a.totals.downloads));
  kpi('Secrets rotated on schedule', pct(rot.total.shareWithinSchedule));
  kpi('Emergency resets', num(r.emergencyResets.total));
  kpi('Deletions', num(r.deletions.total));
  kpi('Backup success rate', pct(r.backups.successRate));
  kpi('Suspicious-activity alerts', num(r.alerts.total));
  s.push('</div>');

  // ---- 1. access ----
  s.push('<h2>1. Who read, revealed or downloaded tenant secrets</h2>');
  s.push(`<p>${num(a.totals.reads)} reads, ${num(a.totals.reveals)} reveals and ${num(a.totals.downloads)} downloads of ${num(a.totals.secrets)} secrets in ${num(a.totals.tenants)} tenants by ${num(a.totals.identities)} identities. Counts are Vault's audit log entries (the console's own record where Vault logged none); only answered requests count.</p>`);
  const top = [...a.byIdentity].sort((x, y) => y.reads + y.reveals + y.downloads - (x.reads + x.reveals + x.downloads) || (x.identity < y.identity ? -1 : 1)).slice(0, 15);
  s.push(barChart('Accesses per identity (top 15)', top.map((i) => ({ label: i.identity, value: i.reads + i.reveals + i.downloads }))));
  s.push(table(['Identity', ['Reads', 'n'], ['Reveals', 'n'], ['Downloads', 'n'], ['Secrets', 'n'], ['Tenants', 'n']], a.byIdentity.map((i) => [esc(i.identity), num(i.reads), num(i.reveals), num(i.downloads), num(i.secrets), num(i.tenants)])));
  s.push('<h3>Reveals and downloads, and why</h3>');
  s.push(
    table(
      ['Identity', 'Secret', 'Action', ['Count', 'n'], 'First', 'Last', 'Why'],
      a.revealsAndDownloads.rows.map((d) => [esc(d.identity), `<code>${esc(d.path)}</code>`, d.action, num(d.count), esc(time(d.first)), esc(time(d.last)), esc(d.why)]),
    ),
  );
  s.push(listed(a.revealsAndDownloads.rows.length, a.revealsAndDownloads.total));

  // ---- 2. rotation ----
  s.push(`<h2>2. Rotation compliance at period end</h2>`);
  s.push(`<p>As of ${esc(time(rot.asOf))} UTC: ${num(rot.total.withinSchedule)} of ${num(rot.total.secrets)} secrets (${pct(rot.total.shareWithinSchedule)}) were within their rotation schedule; ${num(rot.total.overdue)} were overdue. Revoked API keys are not counted.</p>`);
  s.push(
    stackedShareChart(
      'Share within schedule per secret type',
      rot.byType.map((t) => ({ label: TYPE_LABEL[t.type] ?? t.type, parts: [{ value: t.withinSchedule, color: PALETTE.green, name: 'within schedule' }, { value: t.overdue, color: PALETTE.red, name: 'overdue' }] })),
    ),
  );
  s.push(table(['Secret type', ['Period (days)', 'n'], ['Secrets', 'n'], ['Within schedule', 'n'], ['Overdue', 'n'], ['Share within', 'n']], rot.byType.map((t) => [esc(TYPE_LABEL[t.type] ?? t.type), num(t.periodDays), num(t.secrets), num(t.withinSchedule), num(t.overdue), pct(t.shareWithinSchedule)])));
  const buckets = rot.byType[0]?.ageBuckets.map((b) => b.label) ?? [];
  s.push(groupedColumns('Age since last rotation at period end', buckets, rot.byType.map((t) => ({ name: TYPE_LABEL[t.type] ?? t.type, color: TYPE_COLOR[t.type] ?? PALETTE.grey, values: t.ageBuckets.map((b) => b.count) }))));
  s.push('<h3>Overdue at period end</h3>');
  s.push(table(['Secret', 'Type', 'Last rotated', 'Due since'], rot.overdue.map((o) => [`<code>${esc(o.path)}</code>`, esc(o.type), esc(time(o.lastRotated)), esc(time(o.dueSince))])));
  s.push(listed(rot.overdue.length, rot.overdueTotal));

  // ---- 3. emergency resets ----
  const er = r.emergencyResets;
  s.push('<h2>3. Emergency resets and their incidents</h2>');
  s.push(`<p>${num(er.total)} emergency resets (Vault's log; the console's own records: ${num(er.consoleRecords)}).</p>`);
  s.push(table(['Incident', ['Resets', 'n']], er.byIncident.map((b) => [esc(b.incidentId), num(b.resets)])));
  s.push(table(['Time', 'Secret', 'By', 'Incident'], er.rows.map((x) => [esc(time(x.at)), `<code>${esc(x.path)}</code>`, esc(x.by), esc(x.incidentId ?? '—')])));
  s.push(listed(er.rows.length, er.total));

  // ---- 4. deletions ----
  const del = r.deletions;
  s.push('<h2>4. Deletions with requester and approver</h2>');
  s.push(`<p>${num(del.total)} tenant secrets deleted: ${num(del.withApproval)} covered by a second admin's approval in Vault's record, <span class="${del.withoutApproval > 0 ? 'red' : ''}">${num(del.withoutApproval)} without one</span>.</p>`);
  s.push(
    table(
      ['Time', 'Secret', 'Deleted by', 'Approval (Vault\'s record)', 'Requested by', 'Approved by', 'Why not approved'],
      del.rows.map((d) => [esc(time(d.at)), `<code>${esc(d.path)}</code>`, esc(d.deletedBy), d.approvalId ? `<code>${esc(d.approvalId)}</code>` : '<span class="red">none</span>', esc(d.requestedBy ?? '—'), esc(d.approvedBy ?? '—'), esc(d.notApproved ?? '—')]),
    ),
  );
  s.push(listed(del.rows.length, del.total));

  // ---- 5. backups ----
  const b = r.backups;
  s.push('<h2>5. Backups and restore drills</h2>');
  s.push(
    table(
      ['Attempts', 'Succeeded', 'Failed', 'Success rate', 'Largest gap without a backup'],
      [[num(b.attempts), num(b.succeeded), num(b.failed), pct(b.successRate), b.largestGapHours === null ? 'n/a' : `${b.largestGapHours.toFixed(2)} h (${esc(time(b.largestGapFrom!))} to ${esc(time(b.largestGapTo!))})`]],
    ),
  );
  s.push(table(['Restore drill of backup', 'Verified at', 'Result'], b.drills.map((d) => [`<code>${esc(d.backupId)}</code>`, esc(time(d.verifiedAt)), 'verified: sample secrets equal'])));
  s.push('<p class="note">A drill that fails leaves no record in the backup catalog; only verified drills are listed.</p>');

  // ---- 6. admins ----
  const ad = r.adminIdentities;
  s.push('<h2>6. Identities with admin policies (from Vault)</h2>');
  for (const n of ad.notes) s.push(`<p class="note">${esc(n)}</p>`);
  s.push(table(['Admin policy', 'Why'], ad.policies.map((p) => [`<code>${esc(p.name)}</code>`, esc(p.why)]), 'None found.'));
  s.push(table(['Kind', 'Identity', 'Admin policies'], ad.identities.map((i) => [esc(i.kind), esc(i.name), esc(i.policies.join(', '))]), 'None found.'));

  // ---- 7. failed sign-ins ----
  const f = r.failedLogins;
  s.push('<h2>7. Failed sign-ins</h2>');
  s.push(`<p>${num(f.total)} failed sign-ins for ${num(f.users)} user names from ${num(f.addresses)} addresses.</p>`);
  s.push(barChart('Failed sign-ins per user name (top 10)', f.topUsers.map((u) => ({ label: u.value, value: u.count })), PALETTE.amber));
  s.push(table(['Address', ['Failed sign-ins', 'n']], f.topAddresses.map((x) => [esc(x.value), num(x.count)])));

  // ---- 8. alerts ----
  const al = r.alerts;
  s.push('<h2>8. Suspicious-activity alerts</h2>');
  s.push(`<p>${num(al.total)} alerts: <span class="red">${num(al.red)} red</span>, <span class="amber">${num(al.yellow)} yellow</span>.${al.partialSince ? ` Complete from ${esc(time(al.partialSince))} UTC on (each detector looks at the newest 100,000 events of its kind).` : ''}</p>`);
  s.push(table(['Severity', 'Alert', 'Subject', 'From', 'To', ['Events', 'n']], al.rows.map((x) => [x.severity === 'red' ? '<span class="red">red</span>' : '<span class="amber">yellow</span>', esc(x.title), esc(x.subject), esc(time(x.from)), esc(time(x.to)), num(x.events)])));
  s.push(listed(al.rows.length, al.total));

  s.push(`<footer>Vault Console · ${esc(r.format)} v${r.version} · The JSON file in the same evidence pack holds every figure of this page; the pack's manifest is signed with the console's Ed25519 key (verify: <code>vault-console evidence verify PACK -pubkey KEY.pem</code>).</footer>`);
  s.push('</main></body></html>');
  return `${s.join('\n')}\n`;
}
