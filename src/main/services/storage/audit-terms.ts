// The dictionary behind the audit viewer's free-text search (migration 8). Each
// distinct path, IP, error, user and tenant is stored once in audit_terms with an
// FTS5 trigram index over it; events point at their path, IP and error by id. A
// search looks up the matching values here (a few ms, however many events there
// are), and the events are then found through indexes, never by scanning rows.
//
// Matching is a case-insensitive substring match: FTS5's trigram tokenizer folds
// Unicode case for 3+ characters; 1-2 characters (too short for a trigram) are a
// LIKE over the dictionary with every case variant, so "é" also finds "É". LIKE
// wildcards typed by the user (% and _) are literal in both.
import { TERM_KIND } from './schema/audit';
import type { SqlDatabase } from './database';

export type TermKind = (typeof TERM_KIND)[keyof typeof TERM_KIND];

export interface TermMatch {
  path: number[];
  ip: number[];
  error: number[];
  user: string[];
  tenant: string[];
}

// Per kind; a cache that outgrows this is dropped and refilled from SQLite.
const MAX_CACHED = 300_000;
const MAX_MATCH_CACHE = 16;

export function termCount(m: TermMatch): number {
  return m.path.length + m.ip.length + m.error.length + m.user.length + m.tenant.length;
}

export class AuditTerms {
  private readonly caches = new Map<TermKind, Map<string, number>>();
  private readonly insertStmt;
  private readonly ftsStmt;
  private readonly selectStmt;
  private readonly ftsMatchStmt;
  /** Terms added by the transaction in progress (forgotten again if it rolls back). */
  private added: [TermKind, string][] = [];
  private addedIds: number[] = [];
  /** Bumped whenever a term is added: cached matches are stale. */
  private version = 0;
  private readonly matches = new Map<string, { version: number; match: TermMatch }>();

  constructor(private readonly db: SqlDatabase) {
    // Set-based: one statement per kind and batch, not one per new value.
    this.insertStmt = db.prepare('INSERT INTO audit_terms (kind, value) SELECT ?, value FROM json_each(?) WHERE true ON CONFLICT (kind, value) DO NOTHING RETURNING id, value');
    this.selectStmt = db.prepare('SELECT id, value FROM audit_terms WHERE kind = ? AND value IN (SELECT value FROM json_each(?))');
    // FTS5 indexes a set of rows far faster than row by row.
    this.ftsStmt = db.prepare('INSERT INTO audit_terms_fts (rowid, value) SELECT id, value FROM audit_terms WHERE id IN (SELECT value FROM json_each(?))');
    this.ftsMatchStmt = db.prepare('SELECT t.id, t.kind, t.value FROM audit_terms_fts JOIN audit_terms t ON t.id = audit_terms_fts.rowid WHERE audit_terms_fts MATCH ?');
  }

  private cache(kind: TermKind): Map<string, number> {
    let c = this.caches.get(kind);
    if (!c) this.caches.set(kind, (c = new Map()));
    return c;
  }

  /**
   * Inside a write transaction, before the rows: makes sure every value of the
   * batch has an id (adding the new ones; flush() indexes them), so id() is a
   * lookup in memory.
   */
  prepare(values: ReadonlyMap<TermKind, readonly (string | null)[]>): void {
    for (const [kind, list] of values) {
      const cache = this.cache(kind);
      // Bounded memory: a cache that would outgrow the limit starts over.
      if (cache.size + list.length > MAX_CACHED) cache.clear();
      const missing = new Set<string>();
      for (const v of list) if (v !== null && v !== '' && !cache.has(v)) missing.add(v);
      if (missing.size === 0) continue;
      const json = JSON.stringify([...missing]);
      for (const r of this.insertStmt.all(kind, json) as { id: number; value: string }[]) {
        cache.set(r.value, r.id);
        missing.delete(r.value);
        this.added.push([kind, r.value]);
        this.addedIds.push(r.id);
        this.version++;
      }
      if (missing.size > 0) for (const r of this.selectStmt.all(kind, JSON.stringify([...missing])) as { id: number; value: string }[]) cache.set(r.value, r.id);
    }
  }

  /** The id of a value prepared for this batch (null for none). */
  id(kind: TermKind, value: string | null): number | null {
    if (value === null || value === '') return null;
    const id = this.caches.get(kind)?.get(value);
    if (id === undefined) throw new Error('audit term used without prepare()');
    return id;
  }

  /** Last step of the write transaction: index the terms it added. */
  flush(): void {
    if (this.addedIds.length > 0) this.ftsStmt.run(JSON.stringify(this.addedIds));
    this.addedIds = [];
  }

  /** The write transaction committed: its new terms are real. */
  committed(): void {
    this.added = [];
    this.addedIds = [];
  }

  /** The write transaction rolled back: its new terms (and their ids) never existed. */
  rolledBack(): void {
    for (const [kind, value] of this.added) this.caches.get(kind)?.delete(value);
    this.added = [];
    this.addedIds = [];
    this.version++;
  }

  /** Terms were deleted: cached ids and matches may name them. */
  forget(): void {
    this.caches.clear();
    this.matches.clear();
    this.version++;
  }

  /** Every stored value that contains text (case-insensitive), by kind. */
  match(text: string): TermMatch {
    const cached = this.matches.get(text);
    if (cached && cached.version === this.version) return cached.match;
    const rows = [...text].length >= 3 ? this.matchTrigram(text) : this.matchShort(text);
    const m: TermMatch = { path: [], ip: [], error: [], user: [], tenant: [] };
    for (const r of rows) {
      switch (r.kind) {
        case TERM_KIND.path:
          m.path.push(r.id);
          break;
        case TERM_KIND.ip:
          m.ip.push(r.id);
          break;
        case TERM_KIND.error:
          m.error.push(r.id);
          break;
        case TERM_KIND.user:
          m.user.push(r.value);
          break;
        case TERM_KIND.tenant:
          m.tenant.push(r.value);
          break;
      }
    }
    if (this.matches.size >= MAX_MATCH_CACHE) this.matches.delete(this.matches.keys().next().value as string);
    this.matches.set(text, { version: this.version, match: m });
    return m;
  }

  private matchTrigram(text: string): { id: number; kind: number; value: string }[] {
    // One quoted FTS5 string: every character is literal (a quote is doubled), so
    // the query is the substring itself, never FTS syntax.
    return this.ftsMatchStmt.all(`"${text.replace(/"/g, '""')}"`) as { id: number; kind: number; value: string }[];
  }

  private matchShort(text: string): { id: number; kind: number; value: string }[] {
    const escaped = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const patterns = [...new Set(caseVariants(text).map(escaped))];
    const where = patterns.map(() => "value LIKE ? ESCAPE '\\'").join(' OR ');
    return this.db.prepare(`SELECT id, kind, value FROM audit_terms WHERE ${where}`).all(...patterns) as { id: number; kind: number; value: string }[];
  }
}

/** Every upper/lower combination of a 1-2 character string (LIKE folds ASCII case only). */
export function caseVariants(text: string): string[] {
  let out = [''];
  for (const ch of text) {
    // Only one-character forms: 'ß'.toUpperCase() is 'SS', which would match "class".
    const forms = [...new Set([ch, ch.toLowerCase(), ch.toUpperCase()])].filter((f) => [...f].length === 1);
    out = out.flatMap((prefix) => forms.map((f) => prefix + f));
  }
  return out;
}
