// DKIM rotation that cannot break mail: asks every configured resolver whether each DKIM
// key's new selector (and the previous one during its grace) is published with the key
// Vault holds, records the outcome in Vault (shared by every admin and the ops host),
// and holds back the grace sweep's retirement of the previous selector until the new one
// has been seen published and matching on every resolver for the hold time.
// Never logs or returns a private key; logs name tenant, domain and states only.
import { randomBytes } from 'node:crypto';
import type { DkimKeyDns, JobDnsRecords, ResolverResult, SelectorDns, TenantDkimDns } from '../../../shared/contracts/dkim-dns';
import { decideRetirement, nextFirstSeen, summarize, type DnsState, type ResolverState, type RetirementDecision } from '../../../shared/dkim/dns-rules';
import { AppError } from '../../../shared/errors';
import { checkReason, HOUR_MS, parseTarget, RuleError, type ParsedTarget } from '../../../shared/rotation/rules';
import type { AuditRecorder } from '../audit/audit-recorder';
import { CONSOLE_ACTION_HEADER, formatConsoleTag } from '../audit/console-header';
import { createLogger, type Logger } from '../log/logger';
import type { RetirementPolicy } from '../rotation/grace-sweep';
import { Rotator, type RotationAudit } from '../rotation/rotator';
import { loadSchedules } from '../rotation/schedules-store';
import { RotationVaultIo } from '../rotation/vault-io';
import type { Clock } from '../time/clock';
import type { VaultClient } from '../vault/vault-client';
import { DkimDnsVault, DNS_KEYS, type DkimKeyFacts } from './dkim-dns-vault';
import { checkedName, matchRecords, recordsCsv, zoneFragment, type RecordToPublish } from './dkim-txt';
import { DEFAULT_QUERY, queryTxt, type QueryOptions } from './dns-query';
import type { EffectiveResolvers, ResolverAddress } from './resolvers';

export interface DkimDnsDeps {
  /** The signed-in session's client (throws UNAUTHENTICATED when signed out). */
  client: () => VaultClient;
  mount: () => string;
  actor: () => string;
  clock: Clock;
  /** The resolvers to ask now (the active profile's, the environment's or the system's). */
  resolvers: () => EffectiveResolvers;
  query?: QueryOptions;
  /** The console's audit trail for "retire anyway"; required for that action (fail closed). */
  audit?: AuditRecorder;
  logger?: Logger;
  /** Hold after first seen, in hours; default: the shared schedules' DKIM grace (48 h). */
  holdHours?: () => Promise<number>;
  /** After a check or a retirement changed a tenant's keys (the inventory refreshes it). */
  onChanged?: (tenantId: string) => void;
  /**
   * Paths of the DKIM keys a scheduled re-check looks at (in grace or waiting for DNS);
   * default: a Vault listing of every tenant's dkim/ folder.
   */
  candidates?: () => Promise<string[] | null>;
  /** A rotation job's finished DKIM items (path, version written); null when there is no such job. */
  jobItems?: (jobId: string) => Array<{ path: string; version: number | null }> | null;
}

export interface RecheckSummary {
  candidates: number;
  checked: number;
  published: number;
  /** Previous selector held back: waiting for DNS. */
  waiting: number;
  failed: Array<{ path: string; code: string }>;
  tenants: string[];
}

interface Observation {
  name: string;
  selector: string;
  state: Exclude<DnsState, 'unchecked'>;
  resolvers: ResolverResult[];
}

interface KeyCheck {
  facts: DkimKeyFacts;
  current: Observation | null;
  previous: Observation | null;
  /** Written to Vault (false: the key changed in between; nothing recorded). */
  recorded: boolean;
  custom: Record<string, string>;
  decision: RetirementDecision | null;
  problem: string | null;
}

const DETAIL_MAX = 500;

function rules<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RuleError) throw new AppError('BAD_INPUT', err.message);
    throw err;
  }
}

/** "127.0.0.1:5353=published,192.0.2.1=no-answer", cut to fit a custom_metadata value. */
function detailOf(results: readonly ResolverResult[]): string {
  let out = '';
  for (const r of results) {
    const part = `${out ? ',' : ''}${r.resolver}=${r.state}`;
    if (out.length + part.length > DETAIL_MAX) break;
    out += part;
  }
  return out;
}

function parseDetail(text: string | undefined): ResolverResult[] {
  if (!text) return [];
  const out: ResolverResult[] = [];
  for (const part of text.split(',')) {
    const eq = part.lastIndexOf('=');
    const state = part.slice(eq + 1) as ResolverState;
    if (eq > 0 && ['published', 'mismatch', 'missing', 'no-answer'].includes(state)) out.push({ resolver: part.slice(0, eq), state, detail: 'as last recorded' });
  }
  return out;
}

function asState(v: string | undefined): DnsState {
  return v === 'published' || v === 'mismatch' || v === 'missing' || v === 'unverified' ? v : 'unchecked';
}

export class DkimDnsService {
  private readonly log: Logger;

  constructor(private readonly deps: DkimDnsDeps) {
    this.log = deps.logger ?? createLogger('dkim-dns');
  }

  private vault(): DkimDnsVault {
    return new DkimDnsVault(this.deps.client(), this.deps.mount());
  }

  private async holdMs(): Promise<number> {
    if (this.deps.holdHours) return (await this.deps.holdHours()) * HOUR_MS;
    const io = new RotationVaultIo(this.deps.client(), this.deps.mount());
    return (await loadSchedules(io, (m) => this.log.warn(m))).schedules.graceHours.dkim * HOUR_MS;
  }

  private resolvers(): EffectiveResolvers {
    const eff = this.deps.resolvers();
    if (eff.resolvers.length === 0) throw new AppError('BAD_INPUT', 'No DNS resolver to ask: configure resolvers for this connection profile (the system has none).');
    return eff;
  }

  // ---- DNS ------------------------------------------------------------------------------

  private async observe(selector: string, domain: string, expectedP: string, resolvers: readonly ResolverAddress[]): Promise<Observation> {
    const name = `${selector}._domainkey.${domain}`;
    const results = await Promise.all(
      resolvers.map(async (r): Promise<ResolverResult> => {
        const a = await queryTxt(r, name, this.deps.query ?? DEFAULT_QUERY);
        if (a.kind === 'no-answer') return { resolver: r.label, state: 'no-answer', detail: `no answer (${a.code})` };
        if (a.kind === 'none') return { resolver: r.label, state: 'missing', detail: a.detail };
        const m = matchRecords(a.records, expectedP);
        return { resolver: r.label, state: m.state, detail: m.detail };
      }),
    );
    return { name, selector, state: summarize(results.map((r) => r.state)), resolvers: results };
  }

  /** Queries DNS for one key and records the outcome in Vault (metadata check-and-set). */
  private async checkKey(path: string, eff: EffectiveResolvers, holdMs: number): Promise<KeyCheck> {
    const v = this.vault();
    const facts = await v.facts(path);
    if (!facts) throw new AppError('NOT_FOUND', `No DKIM key at ${path}.`);
    let problem: string | null = null;
    let current: Observation | null = null;
    if (!facts.selector || !facts.publicKey) problem = 'The DKIM secret has no selector or no readable public key.';
    else current = await this.observe(facts.selector, facts.domain, facts.publicKey, eff.resolvers);
    const previous = facts.previous?.publicKey ? await this.observe(facts.previous.selector, facts.domain, facts.previous.publicKey, eff.resolvers) : null;

    const nowMs = this.deps.clock.now();
    const nowIso = new Date(nowMs).toISOString();
    for (let attempt = 0; attempt < 5; attempt++) {
      const st = await v.metadata(path);
      if (!st) throw new AppError('NOT_FOUND', `No DKIM key at ${path}.`);
      const md = st.custom;
      // Rotated between the data read and now: what we saw is about a selector that is not current.
      if (md.selector && facts.selector && md.selector !== facts.selector) return { facts, current, previous, recorded: false, custom: md, decision: null, problem };
      const state = current?.state ?? 'unverified';
      const firstSeen = facts.selector ? nextFirstSeen({ selector: md[DNS_KEYS.selector] ?? null, firstSeen: md[DNS_KEYS.firstSeen] ?? null }, facts.selector, state, nowIso) : null;
      const inGrace = facts.previous !== null;
      const decision = inGrace ? decideRetirement({ graceUntil: facts.previous!.graceUntil, state, firstSeen, holdMs, nowMs }) : null;
      const graceOver = inGrace && facts.previous!.graceUntil !== null && Date.parse(facts.previous!.graceUntil) <= nowMs;
      const waiting = graceOver && decision !== null && !decision.retire;
      const patch: Record<string, string | null> = {
        [DNS_KEYS.selector]: facts.selector,
        [DNS_KEYS.state]: current ? current.state : null,
        [DNS_KEYS.detail]: current ? detailOf(current.resolvers) : null,
        [DNS_KEYS.checkedAt]: nowIso,
        [DNS_KEYS.checkedBy]: this.deps.actor().slice(0, 200),
        [DNS_KEYS.firstSeen]: firstSeen,
        [DNS_KEYS.resolvers]: eff.resolvers.map((r) => r.label).join(',').slice(0, DETAIL_MAX),
        [DNS_KEYS.previousState]: previous ? previous.state : null,
        [DNS_KEYS.hold]: waiting ? 'waiting' : null,
        [DNS_KEYS.holdSince]: waiting ? facts.previous!.graceUntil : null,
        [DNS_KEYS.retireAfter]: decision?.retireAfter ?? null,
      };
      try {
        await v.patch(path, st, patch);
      } catch (err) {
        if (err instanceof AppError && err.code === 'CONFLICT') continue;
        throw err;
      }
      const custom = { ...md };
      for (const [k, val] of Object.entries(patch)) {
        if (val === null) delete custom[k];
        else custom[k] = val;
      }
      return { facts, current, previous, recorded: true, custom, decision, problem };
    }
    throw new AppError('CONFLICT', `${path}: the DNS state kept changing under this check (other consoles checking at once); try again.`);
  }

  // ---- views ----------------------------------------------------------------------------

  private view(tenantId: string, domain: string, path: string, md: Record<string, string>, holdMs: number, check?: KeyCheck): DkimKeyDns {
    const selector = check?.facts.selector ?? md.selector ?? null;
    const sameSelector = md[DNS_KEYS.selector] === selector;
    const current: SelectorDns | null = selector
      ? check?.current
        ? { selector, name: check.current.name, state: check.current.state, resolvers: check.current.resolvers }
        : { selector, name: `${selector}._domainkey.${domain}`, state: sameSelector ? asState(md[DNS_KEYS.state]) : 'unchecked', resolvers: sameSelector ? parseDetail(md[DNS_KEYS.detail]) : [] }
      : null;
    const inGrace = check ? check.facts.previous !== null : Boolean(md.previous_selector && md.previous_status !== 'retired' && md.grace_until);
    const prevSel = check?.facts.previous?.selector ?? md.previous_selector ?? null;
    const previous =
      inGrace && prevSel
        ? {
            selector: prevSel,
            name: `${prevSel}._domainkey.${domain}`,
            state: check?.previous ? check.previous.state : sameSelector ? asState(md[DNS_KEYS.previousState]) : ('unchecked' as DnsState),
            resolvers: check?.previous?.resolvers ?? [],
            graceUntil: check?.facts.previous?.graceUntil ?? md.grace_until ?? null,
          }
        : null;
    const waiting =
      md[DNS_KEYS.hold] === 'waiting' && inGrace && sameSelector
        ? { since: md[DNS_KEYS.holdSince] ?? null, retireAfter: md[DNS_KEYS.retireAfter] ?? null, reason: check?.decision?.reason ?? 'Waiting for DNS: the new selector has not been confirmed on every resolver for the hold time.' }
        : null;
    const overrideSel = md[DNS_KEYS.overrideSelector] ?? null;
    // Only an override that happened: that selector is the retired previous one.
    const override =
      md[DNS_KEYS.overrideBy] && md[DNS_KEYS.overrideAt] && md[DNS_KEYS.overrideReason] && md.previous_status === 'retired' && overrideSel === (md.previous_selector ?? null)
        ? { by: md[DNS_KEYS.overrideBy]!, at: md[DNS_KEYS.overrideAt]!, reason: md[DNS_KEYS.overrideReason]!, selector: overrideSel }
        : null;
    return {
      tenantId,
      domain,
      path,
      current,
      previous,
      firstSeen: sameSelector ? (md[DNS_KEYS.firstSeen] ?? null) : null,
      checkedAt: sameSelector ? (md[DNS_KEYS.checkedAt] ?? null) : null,
      checkedBy: sameSelector ? (md[DNS_KEYS.checkedBy] ?? null) : null,
      waiting,
      retireAfter: inGrace && sameSelector ? (md[DNS_KEYS.retireAfter] ?? null) : null,
      override,
      holdHours: Math.round(holdMs / HOUR_MS),
      problem: check?.problem ?? null,
    };
  }

  private checkTenant(tenantId: string): string {
    return rules(() => parseTarget(tenantId, 'smtp')).path.split('/')[0]!;
  }

  /** The state recorded in Vault, from metadata only: no DNS query, no secret read. */
  async status(tenantId: string): Promise<TenantDkimDns> {
    const t = this.checkTenant(tenantId);
    const v = this.vault();
    // What was recorded is shown even when the resolver list cannot be read (a hand-edited profile).
    let eff: EffectiveResolvers;
    try {
      eff = this.deps.resolvers();
    } catch {
      eff = { source: 'profile', resolvers: [] };
    }
    const holdMs = await this.holdMs();
    const keys: DkimKeyDns[] = [];
    for (const domain of await v.domains(t)) {
      const path = `${t}/dkim/${domain}`;
      const st = await v.metadata(path);
      if (st) keys.push(this.view(t, domain, path, st.custom, holdMs));
    }
    return { tenantId: t, resolvers: { source: eff.source, list: eff.resolvers.map((r) => r.label) }, checkedNow: false, keys };
  }

  /** Check DNS now: every resolver, every DKIM key of the tenant (or one domain). Recorded in Vault. */
  /** The tenant's DKIM domains as Vault lists them: the keys check(tenantId) will touch. */
  async domains(tenantId: string): Promise<string[]> {
    return this.vault().domains(this.checkTenant(tenantId));
  }

  async check(tenantId: string, domain?: string): Promise<TenantDkimDns> {
    const t = this.checkTenant(tenantId);
    const eff = this.resolvers();
    const holdMs = await this.holdMs();
    const domains = domain !== undefined ? [rules(() => parseTarget(t, `dkim:${domain}`)).name!] : await this.vault().domains(t);
    const keys: DkimKeyDns[] = [];
    for (const d of domains) {
      const path = `${t}/dkim/${d}`;
      const c = await this.checkKey(path, eff, holdMs);
      keys.push(this.view(t, d, path, c.custom, holdMs, c));
      this.log.info(`tenant ${t} dkim/${d}: new selector ${c.current?.state ?? 'not checked'}${c.previous ? `, previous ${c.previous.state}` : ''}${c.custom[DNS_KEYS.hold] === 'waiting' ? ' (retirement waits for DNS)' : ''}`);
    }
    this.deps.onChanged?.(t);
    return { tenantId: t, resolvers: { source: eff.source, list: eff.resolvers.map((r) => r.label) }, checkedNow: true, keys };
  }

  /**
   * The scheduled re-check (the app while it runs; `vault-console watch`): every DKIM key
   * in grace or waiting for DNS is checked and its state recorded. Stops early when Vault
   * goes away; a key that fails is reported and the others go on.
   */
  async recheck(): Promise<RecheckSummary> {
    const eff = this.resolvers();
    const holdMs = await this.holdMs();
    const paths = (await this.deps.candidates?.()) ?? (await this.vaultCandidates());
    const out: RecheckSummary = { candidates: paths.length, checked: 0, published: 0, waiting: 0, failed: [], tenants: [] };
    const tenants = new Set<string>();
    for (const path of paths) {
      try {
        const c = await this.checkKey(path, eff, holdMs);
        out.checked++;
        if (c.current?.state === 'published') out.published++;
        if (c.custom[DNS_KEYS.hold] === 'waiting') out.waiting++;
        tenants.add(path.split('/')[0]!);
      } catch (err) {
        const code = err instanceof AppError ? err.code : 'INTERNAL';
        if (code === 'NOT_FOUND') continue;
        out.failed.push({ path, code });
        if (code === 'VAULT_SEALED' || code === 'VAULT_UNREACHABLE' || code === 'UNAUTHENTICATED') break;
      }
    }
    out.tenants = [...tenants].sort();
    if (out.checked > 0 || out.failed.length > 0) this.log.info(`re-check: ${out.checked} of ${out.candidates} DKIM key(s) checked, ${out.published} published, ${out.waiting} waiting for DNS, ${out.failed.length} failed`);
    return out;
  }

  /** Every DKIM key with a grace end that is not retired, from Vault (detailed-metadata LIST per tenant where offered). */
  private async vaultCandidates(): Promise<string[]> {
    const io = new RotationVaultIo(this.deps.client(), this.deps.mount());
    const tenants = (await io.list('')).filter((k) => k.endsWith('/') && !k.startsWith('_')).map((k) => k.slice(0, -1));
    const out: string[] = [];
    const due = (md: Record<string, string> | null | undefined) => Boolean(md?.grace_until) && md?.previous_status !== 'retired';
    let next = 0;
    const worker = async () => {
      while (next < tenants.length) {
        const t = tenants[next++]!;
        const detailed = await io.listDetailed(`${t}/dkim`);
        if (detailed) {
          for (const leaf of detailed) if (!leaf.key.endsWith('/') && due(leaf.customMetadata)) out.push(`${t}/dkim/${leaf.key}`);
          continue;
        }
        for (const key of await io.list(`${t}/dkim`)) {
          if (key.endsWith('/')) continue;
          if (due((await io.metadata(`${t}/dkim/${key}`))?.customMetadata)) out.push(`${t}/dkim/${key}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(8, tenants.length)) }, worker));
    return out.sort();
  }

  /**
   * The records a set of DKIM rotations needs in DNS (a bulk job's report): each item's
   * new selector, and its previous one to keep until the grace ends, read from the version
   * the rotation wrote (not whatever is current now).
   */
  async recordsFor(items: ReadonlyArray<{ path: string; version: number | null }>): Promise<{ records: RecordToPublish[]; skipped: Array<{ path: string; reason: string }> }> {
    const v = this.vault();
    const records: RecordToPublish[] = [];
    const skipped: Array<{ path: string; reason: string }> = [];
    for (const item of items) {
      const f = await v.facts(item.path, item.version ?? undefined);
      if (!f) {
        skipped.push({ path: item.path, reason: 'The secret or that version no longer exists.' });
        continue;
      }
      if (!f.selector || !f.txt) {
        skipped.push({ path: item.path, reason: 'No selector or TXT value in that version.' });
        continue;
      }
      try {
        // A selector from Vault that is not a DNS label must not become a zone-file owner name.
        checkedName(`${f.selector}._domainkey.${f.domain}`);
        if (f.previous?.txt) checkedName(`${f.previous.selector}._domainkey.${f.domain}`);
      } catch {
        skipped.push({ path: item.path, reason: 'The selector in that version is not a valid DNS name.' });
        continue;
      }
      records.push({ tenantId: f.tenantId, domain: f.domain, role: 'new', name: `${f.selector}._domainkey.${f.domain}`, value: f.txt, note: 'New key: publish now.' });
      if (f.previous?.txt) {
        records.push({ tenantId: f.tenantId, domain: f.domain, role: 'previous', name: `${f.previous.selector}._domainkey.${f.domain}`, value: f.previous.txt, note: `Previous key: keep published until ${f.previous.graceUntil ?? 'the grace period ends'} (and until the console retires it).` });
      }
    }
    return { records, skipped };
  }

  /** A bulk job's DKIM records as one zone-file fragment and as CSV (its report's "DNS records to publish"). */
  async jobRecords(jobId: string): Promise<JobDnsRecords> {
    const items = this.deps.jobItems?.(jobId);
    if (!items) throw new AppError('NOT_FOUND', `No rotation job ${jobId.slice(0, 64)}.`);
    const { records, skipped } = await this.recordsFor(items);
    const header = `DKIM records of rotation job ${jobId} (${records.filter((r) => r.role === 'new').length} new key(s)), Vault Console ${new Date(this.deps.clock.now()).toISOString()}\nValues are split into strings of at most 255 bytes; a verifier joins them with nothing in between (RFC 6376 3.6.2.2).`;
    return { jobId, records, zone: zoneFragment(records, header), csv: recordsCsv(records), skipped };
  }

  /**
   * What the grace sweep consults before retiring a previous DKIM selector: a fresh check,
   * recorded in Vault, and a reason to wait unless the new selector has been published and
   * matching everywhere for the hold time. Other secret types are not its business.
   */
  readonly retirementPolicy: RetirementPolicy = {
    holdReason: async (target: ParsedTarget) => {
      if (target.type !== 'dkim') return null;
      const c = await this.checkKey(target.path, this.resolvers(), await this.holdMs());
      if (!c.recorded) return 'The key changed during the DNS check; the next sweep looks again.';
      // Nothing in grace (already retired, or rotated without one): retireIfDue decides.
      if (!c.decision) return null;
      return c.decision.retire ? null : c.decision.reason;
    },
  };

  /**
   * Retire the previous selector although DNS has not confirmed the new one, because an
   * admin says so: a reason is required and recorded (Vault metadata; the audit record's
   * request id, vc-retire-override-…, is stored next to it). Only for a retirement that DNS
   * holds back: while the grace period runs there is nothing to override.
   */
  async retireAnyway(tenantId: string, domain: string, reason: string): Promise<{ retired: boolean; selector: string | null; requestId: string }> {
    const t = rules(() => parseTarget(tenantId, `dkim:${domain}`));
    const why = rules(() => checkReason(reason));
    const recorder = this.deps.audit;
    if (!recorder) throw new AppError('INTERNAL', 'Retiring anyway needs the audit trail, which is not available here.');
    const client = this.deps.client();
    const mount = this.deps.mount();
    const facts = await new DkimDnsVault(client, mount).facts(t.path);
    if (!facts) throw new AppError('NOT_FOUND', `No DKIM key for ${t.name}.`);
    if (!facts.previous) throw new AppError('CONFLICT', `${t.path} has no previous selector in grace: nothing to retire.`);
    const grace = Date.parse(facts.previous.graceUntil ?? '');
    const nowMs = this.deps.clock.now();
    if (!Number.isNaN(grace) && nowMs < grace) {
      throw new AppError('CONFLICT', `The grace period of ${facts.previous.selector} runs until ${facts.previous.graceUntil}; "retire anyway" is for a retirement that waits for DNS after it.`);
    }
    const requestId = `vc-retire-override-${randomBytes(8).toString('hex')}`;
    const audit: RotationAudit = {
      begin: (_action, path) => ({
        headers: { [CONSOLE_ACTION_HEADER]: formatConsoleTag({ action: 'rotate', req: requestId }) },
        finish: (ok, error) => {
          recorder.record({ action: 'rotate', path, status: ok ? 'ok' : 'error', requestId, error: error ?? null });
        },
      }),
    };
    const io = new RotationVaultIo(client, mount);
    const rotator = new Rotator(io, { now: () => this.deps.clock.now(), schedules: async () => (await loadSchedules(io)).schedules, audit });
    const actor = this.deps.actor();
    const at = new Date(nowMs).toISOString();
    // The reason first, so a crash after the retirement cannot lose it; it counts only once
    // previous_status is "retired" for that selector (see view()), and is removed if the
    // retirement does not happen (an earlier override's record is put back).
    const override: Record<string, string | null> = {
      [DNS_KEYS.overrideBy]: actor.slice(0, 200),
      [DNS_KEYS.overrideAt]: at,
      [DNS_KEYS.overrideReason]: why,
      [DNS_KEYS.overrideSelector]: facts.previous.selector,
      [DNS_KEYS.overrideRequest]: requestId,
    };
    const before = (await io.metadata(t.path))?.customMetadata ?? {};
    await io.patchMetadata(t.path, override);
    let retired = false;
    try {
      retired = await rotator.retireIfDue(t, actor);
    } finally {
      if (!retired) await io.patchMetadata(t.path, Object.fromEntries(Object.keys(override).map((k) => [k, before[k] ?? null]))).catch(() => undefined);
    }
    if (!retired) throw new AppError('CONFLICT', `${t.path} changed meanwhile (rotated or retired by someone else); nothing was written.`);
    await io.patchMetadata(t.path, { [DNS_KEYS.hold]: null, [DNS_KEYS.holdSince]: null, [DNS_KEYS.retireAfter]: null });
    this.log.warn(`tenant ${t.path.split('/')[0]} dkim/${t.name}: previous selector ${facts.previous.selector} retired anyway by ${actor} (DNS not confirmed) req=${requestId}`);
    this.deps.onChanged?.(t.path.split('/')[0]!);
    return { retired: true, selector: facts.previous.selector, requestId };
  }
}
