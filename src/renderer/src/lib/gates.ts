// The UI side of permission gates: which actions the signed-in identity may take, asked
// of main (which asks Vault's sys/capabilities-self for the exact paths) in one batched
// call per render, asked again every minute (a policy changed in Vault shows without a
// new sign-in) and forgotten when the session changes. Unknown counts as not allowed.
import { create } from 'zustand';
import { gateKey, type ActionPermission, type GateCheck } from '../../../shared/capabilities';
import { call, errorMessage } from './ipc-client';

interface GateState {
  results: Record<string, ActionPermission>;
}

export const useGateStore = create<GateState>()(() => ({ results: {} }));

const MAX_PER_CALL = 200;
const REFRESH_MS = 60_000;
const pending = new Map<string, GateCheck>();
/** Every check asked since the last session change, to ask again on the timer. */
const known = new Map<string, GateCheck>();
let timer: ReturnType<typeof setInterval> | null = null;
const inFlight = new Set<string>();
let scheduled = false;
let generation = 0;

async function flush(): Promise<void> {
  scheduled = false;
  const batch = [...pending.entries()];
  pending.clear();
  const gen = generation;
  for (let i = 0; i < batch.length; i += MAX_PER_CALL) {
    const part = batch.slice(i, i + MAX_PER_CALL);
    for (const [k] of part) inFlight.add(k);
    let answers: ActionPermission[];
    try {
      answers = (await call('session:can', { checks: part.map(([, c]) => c) })).results as ActionPermission[];
    } catch (err) {
      const reason = `Cannot check your permissions: ${errorMessage(err)}`;
      answers = part.map(() => ({ allowed: false, reason, missing: null }));
    }
    for (const [k] of part) inFlight.delete(k);
    // A session change while asking makes these answers someone else's.
    if (gen !== generation) return;
    useGateStore.setState((s) => {
      const results = { ...s.results };
      part.forEach(([k], j) => {
        results[k] = answers[j] ?? { allowed: false, reason: 'No answer from the permission check.', missing: null };
      });
      return { results };
    });
  }
}

const KNOWN_MAX = 400;

function request(key: string, check: GateCheck): void {
  // The most recent checks only (the buttons on screen are among them).
  known.delete(key);
  known.set(key, check);
  if (known.size > KNOWN_MAX) known.delete(known.keys().next().value as string);
  timer ??= setInterval(refreshGates, REFRESH_MS);
  if (pending.has(key) || inFlight.has(key)) return;
  pending.set(key, check);
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(() => void flush());
  }
}

/** Forget every answer (sign-in, sign-out, another identity or profile): they are asked again. */
export function clearGates(): void {
  generation++;
  pending.clear();
  inFlight.clear();
  known.clear();
  useGateStore.setState({ results: {} });
}

/** Ask every known check again; answers replace the old ones when they come (no flicker). */
export function refreshGates(): void {
  for (const [k, c] of [...known]) request(k, c);
}

export const CHECKING: ActionPermission = { allowed: false, reason: 'Checking your permissions…', missing: null };

/** Whether the signed-in identity may take this action now, and why not. null check: nothing to ask. */
export function useGate(check: GateCheck | null): ActionPermission | null {
  const key = check ? gateKey(check) : null;
  const answer = useGateStore((s) => (key ? s.results[key] : undefined));
  if (check && key && !answer) request(key, check);
  if (!check) return null;
  return answer ?? CHECKING;
}
