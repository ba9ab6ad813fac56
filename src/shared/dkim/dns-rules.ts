// Pure rules of the DKIM DNS check, shared by main, the CLI and the renderer: how the
// answers of several resolvers sum up, when "first seen" starts and resets, and when
// the previous selector may be retired (the switch-over waits for DNS).
// docs/rotation.md ("DKIM: the switch-over waits for DNS") explains each rule.

/** What one resolver said about one selector. */
export const RESOLVER_STATES = ['published', 'mismatch', 'missing', 'no-answer'] as const;
export type ResolverState = (typeof RESOLVER_STATES)[number];

/** One selector over every configured resolver. */
export const DNS_STATES = ['published', 'mismatch', 'missing', 'unverified', 'unchecked'] as const;
export type DnsState = (typeof DNS_STATES)[number];

/**
 * published: every resolver answered with the key; mismatch: one answered with another
 * value; missing: one answered that there is no such record (and none had another value);
 * unverified: no resolver said anything against it, but at least one did not answer.
 * A resolver that does not answer never counts as "published".
 */
export function summarize(states: readonly ResolverState[]): Exclude<DnsState, 'unchecked'> {
  if (states.length === 0) return 'unverified';
  if (states.includes('mismatch')) return 'mismatch';
  if (states.includes('missing')) return 'missing';
  if (states.includes('no-answer')) return 'unverified';
  return 'published';
}

/**
 * When the new selector was first seen published and matching on every resolver.
 * previousFirstSeen only counts when it is about the same selector. Negative evidence
 * (missing, mismatch) resets it; a resolver that did not answer neither starts nor resets it.
 */
export function nextFirstSeen(previous: { selector: string | null; firstSeen: string | null }, selector: string, state: Exclude<DnsState, 'unchecked'>, nowIso: string): string | null {
  const kept = previous.selector === selector && previous.firstSeen && !Number.isNaN(Date.parse(previous.firstSeen)) ? previous.firstSeen : null;
  if (state === 'published') return kept ?? nowIso;
  if (state === 'unverified') return kept;
  return null;
}

export interface RetirementInput {
  /** End of the rotation's grace period (the previous selector's); null: nothing in grace. */
  graceUntil: string | null;
  /** The new selector's state in the check just made. */
  state: DnsState;
  firstSeen: string | null;
  holdMs: number;
  nowMs: number;
}

export interface RetirementDecision {
  retire: boolean;
  /** Earliest retirement when first seen is known: max(grace end, first seen + hold). */
  retireAfter: string | null;
  /** Why it waits (empty when it may retire). */
  reason: string;
}

const HOUR = 3_600_000;

export function hoursText(ms: number): string {
  const h = ms / HOUR;
  if (h < 1) return `${Math.max(1, Math.round(ms / 60_000))} min`;
  return h < 72 ? `${Math.round(h * 10) / 10} h` : `${Math.round((h / 24) * 10) / 10} days`;
}

/**
 * The previous selector is retired only after its grace period AND once the new selector
 * has been seen published and matching on every resolver for at least the hold time.
 */
export function decideRetirement(i: RetirementInput): RetirementDecision {
  const grace = i.graceUntil ? Date.parse(i.graceUntil) : NaN;
  const first = i.firstSeen ? Date.parse(i.firstSeen) : NaN;
  const holdEnd = Number.isNaN(first) ? NaN : first + i.holdMs;
  const retireAfter = Number.isNaN(holdEnd) ? null : new Date(Number.isNaN(grace) ? holdEnd : Math.max(grace, holdEnd)).toISOString();
  if (!Number.isNaN(grace) && i.nowMs < grace) return { retire: false, retireAfter, reason: `The grace period runs until ${i.graceUntil}.` };
  if (i.state !== 'published') {
    const what =
      i.state === 'mismatch' ? 'is published with a different key on at least one resolver'
      : i.state === 'missing' ? 'is not found on at least one resolver'
      : i.state === 'unverified' ? 'could not be confirmed: at least one resolver did not answer'
      : 'has not been checked';
    return { retire: false, retireAfter, reason: `Waiting for DNS: the new selector ${what}.` };
  }
  if (Number.isNaN(holdEnd)) return { retire: false, retireAfter, reason: 'Waiting for DNS: the new selector has not been seen published yet.' };
  if (i.nowMs < holdEnd) return { retire: false, retireAfter, reason: `Waiting for DNS: published everywhere since ${i.firstSeen}; the hold of ${hoursText(i.holdMs)} ends ${retireAfter}.` };
  return { retire: true, retireAfter, reason: '' };
}

/** "waiting for DNS for 5 h; retires at the earliest in 43 h" for the details panel and the CLI. */
export function waitingText(w: { since: string | null; retireAfter: string | null }, nowMs: number): string {
  const since = w.since ? Date.parse(w.since) : NaN;
  const after = w.retireAfter ? Date.parse(w.retireAfter) : NaN;
  const parts = [Number.isNaN(since) ? 'waiting for DNS' : `waiting for DNS for ${hoursText(Math.max(0, nowMs - since))}`];
  parts.push(Number.isNaN(after) ? 'retires once the new selector has been published everywhere for the hold time' : after > nowMs ? `retires at the earliest in ${hoursText(after - nowMs)}` : 'retires at the next sweep if DNS still agrees');
  return parts.join('; ');
}
