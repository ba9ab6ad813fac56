// What the signed-in identity may do, asked of Vault (sys/capabilities-self) for the
// exact paths each action touches (shared/capabilities.ts):
//  - check(): for the UI, many actions in one call, answers cached briefly per path;
//  - require(): the guard main runs before an action's first Vault call, always fresh,
//    throwing PERMISSION_DENIED that names the path and the missing capability;
//  - checkNeeds()/requireNeeds(): the same for services that compute their own paths
//    (a bulk job's preview, the enrolment service).
import { decide, deniedReason, GATE_LABELS, GateInputError, needsOf, pathsOf, type ActionPermission, type GateCheck, type GateContext, type Need } from '../../../shared/capabilities';
import { AppError } from '../../../shared/errors';
import { systemClock, type Clock } from '../time/clock';
import type { Session, SessionInfo } from './session-types';

/** UI answers are reused this long: a policy changed in Vault shows within it (the guard never waits). */
export const CAPABILITY_CACHE_MS = 30_000;
/** Paths per sys/capabilities-self request (a bulk preview may ask for thousands). */
const PATHS_PER_REQUEST = 500;

export interface CapabilitiesDeps {
  session: Session;
  /** The mount names and cluster facts the actions' paths depend on. */
  context: () => Promise<GateContext>;
  clock?: Clock;
  cacheMs?: number;
}

const SIGNED_OUT = 'Sign in to Vault first.';

export class CapabilitiesService {
  private cache = new Map<string, { caps: string[]; at: number }>();
  private cacheKey = '';
  private readonly clock: Clock;
  private readonly cacheMs: number;

  constructor(private readonly deps: CapabilitiesDeps) {
    this.clock = deps.clock ?? systemClock;
    this.cacheMs = deps.cacheMs ?? CAPABILITY_CACHE_MS;
    deps.session.onChange(() => this.cache.clear());
  }

  /** Many actions at once (a view's buttons): one Vault request for the paths not cached. */
  async check(checks: readonly GateCheck[]): Promise<ActionPermission[]> {
    const info = this.deps.session.info();
    if (!info.signedIn) return checks.map(() => denied(SIGNED_OUT));
    const ctx = await this.deps.context();
    const needs = checks.map((c): Need[] | GateInputError => {
      try {
        return needsOf(c, ctx);
      } catch (err) {
        if (err instanceof GateInputError) return err;
        throw err;
      }
    });
    const all = needs.flatMap((n) => (n instanceof GateInputError ? [] : n));
    let granted: Record<string, string[]>;
    try {
      granted = await this.granted(info, pathsOf(all), false);
    } catch (err) {
      const reason = uncheckable(err, info);
      return checks.map(() => denied(reason));
    }
    return needs.map((n) => (n instanceof GateInputError ? denied(n.message) : decide(n, granted, info.policies)));
  }

  /** The guard: asks Vault now and throws unless every need is granted; makes no other request. */
  async require(check: GateCheck): Promise<void> {
    let needs: Need[];
    try {
      needs = needsOf(check, await this.deps.context());
    } catch (err) {
      if (err instanceof GateInputError) throw new AppError('BAD_INPUT', err.message);
      throw err;
    }
    await this.requireNeeds(GATE_LABELS[check.action], needs);
  }

  async checkNeeds(needs: readonly Need[], opts: { fresh?: boolean } = {}): Promise<ActionPermission> {
    const info = this.deps.session.info();
    if (!info.signedIn) return denied(SIGNED_OUT);
    try {
      return decide(needs, await this.granted(info, pathsOf(needs), opts.fresh === true), info.policies);
    } catch (err) {
      return denied(uncheckable(err, info));
    }
  }

  /** Throws PERMISSION_DENIED ("<label>: Needs update on <path>; …") unless Vault grants every need now. */
  async requireNeeds(label: string, needs: readonly Need[]): Promise<void> {
    const info = this.deps.session.info();
    if (!info.signedIn) throw new AppError('UNAUTHENTICATED', SIGNED_OUT);
    let granted: Record<string, string[]>;
    try {
      granted = await this.granted(info, pathsOf(needs), true);
    } catch (err) {
      // Fail closed: what cannot be checked is not done.
      if (err instanceof AppError && err.code !== 'PERMISSION_DENIED') throw err;
      throw new AppError('PERMISSION_DENIED', `${label}: ${uncheckable(err, info)}`);
    }
    const p = decide(needs, granted, info.policies);
    if (!p.allowed && p.missing) throw new AppError('PERMISSION_DENIED', `${label}: ${deniedReason(p.missing, info.policies)}`);
  }

  /** Vault's capabilities per path; fresh ones always go to Vault (and refresh the cache). */
  private async granted(info: SessionInfo, paths: string[], fresh: boolean): Promise<Record<string, string[]>> {
    const key = `${info.profileId}|${info.entityId}|${info.policies.join(',')}|${info.address}`;
    if (key !== this.cacheKey) {
      this.cache.clear();
      this.cacheKey = key;
    }
    const now = this.clock.now();
    const out: Record<string, string[]> = {};
    const ask: string[] = [];
    for (const p of paths) {
      const hit = this.cache.get(p);
      if (!fresh && hit && now - hit.at < this.cacheMs) out[p] = hit.caps;
      else ask.push(p);
    }
    const client = this.deps.session.requireClient();
    for (let i = 0; i < ask.length; i += PATHS_PER_REQUEST) {
      const chunk = ask.slice(i, i + PATHS_PER_REQUEST);
      const res = await client.request<Record<string, unknown>>('POST', 'sys/capabilities-self', { paths: chunk });
      const data = (res?.data ?? {}) as Record<string, unknown>;
      for (const p of chunk) {
        const v = data[p] ?? res?.[p];
        const caps = Array.isArray(v) ? v.map(String) : [];
        out[p] = caps;
        this.cache.set(p, { caps, at: now });
      }
    }
    return out;
  }
}

function denied(reason: string): ActionPermission {
  return { allowed: false, reason, missing: null };
}

/** Why nothing could be checked: capabilities-self itself refused, or Vault did not answer. */
function uncheckable(err: unknown, info: SessionInfo): string {
  if (err instanceof AppError && err.code === 'PERMISSION_DENIED') {
    return deniedReason({ path: 'sys/capabilities-self', caps: ['update'] }, info.policies).replace(/\.$/, '') + ', so the console cannot check what you may do.';
  }
  if (err instanceof AppError) return `Cannot check your permissions now: ${err.message}`;
  return 'Cannot check your permissions now.';
}
