import { describe, expect, it } from 'vitest';
import { MetricsSampler } from '../../../../../src/main/services/metrics/metrics-sampler';
import { requestCounters } from '../../../../../src/main/services/metrics/vault-metrics';
import { AppError } from '../../../../../src/shared/errors';
import { ManualClock } from '../../../../../src/main/services/time/clock';
import type { Session } from '../../../../../src/main/services/session/session-types';
import type { VaultClient } from '../../../../../src/main/services/vault/vault-client';

const exposition = (count: number, sum: number, p50 = 'NaN') => `# HELP vault_core_handle_request vault_core_handle_request
# TYPE vault_core_handle_request summary
vault_core_handle_request{quantile="0.5"} ${p50}
vault_core_handle_request{quantile="0.99"} 0.9
vault_core_handle_request_sum ${sum}
vault_core_handle_request_count ${count}
# TYPE go_goroutines gauge
go_goroutines 254
`;

describe('Prometheus exposition', () => {
  it('reads the request summary (count, sum, quantiles; NaN as null)', () => {
    expect(requestCounters(exposition(20, 243.7))).toEqual({ count: 20, sumMs: 243.7, p50Ms: null, p99Ms: 0.9 });
  });

  it('returns null when Vault does not export request metrics', () => {
    expect(requestCounters('# TYPE go_goroutines gauge\ngo_goroutines 3\n')).toBeNull();
    expect(requestCounters('')).toBeNull();
  });
});

function sessionWith(answers: Array<string | AppError>): Session {
  const client = {
    request: async () => {
      const next = answers.shift();
      if (next instanceof AppError) throw next;
      return next;
    },
  } as unknown as VaultClient;
  return {
    info: () => ({}) as ReturnType<Session['info']>,
    requireClient: () => client,
    onChange: () => () => undefined,
  };
}

describe('metrics sampler', () => {
  it('derives request rate and mean latency from counter deltas, and keeps 15 minutes', async () => {
    const clock = new ManualClock();
    const sampler = new MetricsSampler({ session: sessionWith([exposition(100, 1000), exposition(200, 1500)]), clock, intervalMs: 10_000 });
    await sampler.sample();
    clock.advance(10_000);
    await sampler.sample();
    const s = sampler.series();
    expect(s.samples).toHaveLength(2);
    expect(s.samples[0]).toMatchObject({ requestRate: null, latencyMeanMs: null });
    expect(s.samples[1]).toMatchObject({ requestRate: 10, latencyMeanMs: 5, latencyP99Ms: 0.9 });
    expect(s.problem).toBeNull();
    clock.advance(16 * 60_000);
    expect(sampler.series().samples).toHaveLength(0);
  });

  it('starts a new baseline after a server restart (counter went down) or a failed sample', async () => {
    const clock = new ManualClock();
    const sampler = new MetricsSampler({
      session: sessionWith([exposition(100, 1000), exposition(5, 10), new AppError('PERMISSION_DENIED', 'x'), exposition(15, 20)]),
      clock,
    });
    for (let i = 0; i < 4; i++) {
      await sampler.sample();
      clock.advance(10_000);
    }
    const s = sampler.series();
    expect(s.samples.map((x) => x.requestRate)).toEqual([null, null, null]);
  });

  it('says why there are no samples when signed out', async () => {
    const clock = new ManualClock();
    const session: Session = {
      info: () => ({}) as ReturnType<Session['info']>,
      requireClient: () => {
        throw new AppError('UNAUTHENTICATED', 'Sign in to Vault first.');
      },
      onChange: () => () => undefined,
    };
    const sampler = new MetricsSampler({ session, clock });
    await sampler.sample();
    expect(sampler.series()).toMatchObject({ samples: [], problem: 'Sign in to see request metrics.' });
  });

  it('a profile switch starts a new series: no sample of the old cluster and no rate across clusters', async () => {
    const clock = new ManualClock();
    const answers: string[] = [exposition(100, 1000), exposition(200, 1500), exposition(5000, 90_000), exposition(5100, 90_500)];
    const listeners: Array<(i: ReturnType<Session['info']>) => void> = [];
    let profileId = 'cluster-a';
    const client = { request: async () => answers.shift() } as unknown as VaultClient;
    const session: Session = {
      info: () => ({ profileId, signedIn: true }) as ReturnType<Session['info']>,
      requireClient: () => client,
      onChange: (l) => {
        listeners.push(l);
        return () => undefined;
      },
    };
    const sampler = new MetricsSampler({ session, clock, intervalMs: 10_000 });
    sampler.start();
    sampler.stop(); // drive samples by hand; the listener stays registered
    await sampler.sample();
    clock.advance(10_000);
    await sampler.sample();
    expect(sampler.series().samples).toHaveLength(2);

    profileId = 'cluster-b';
    for (const l of listeners) l(session.info());
    await sampler.sample(); // the baseline the switch itself started
    clock.advance(10_000);
    await sampler.sample();
    const s = sampler.series().samples;
    // Only cluster B's samples: its first has no rate (new baseline), its second a rate of its own.
    expect(s.map((x) => x.requestRate)).toEqual([null, 10]);
  });
});
