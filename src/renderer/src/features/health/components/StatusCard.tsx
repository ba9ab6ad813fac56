import type { ReactNode } from 'react';
import type { Tone } from '../store';

interface Props {
  title: string;
  value: ReactNode;
  tone: Tone;
  detail?: ReactNode;
  testId: string;
  /** Why part of the card is empty ("Sign in for more.", a missing permission). */
  unavailable?: string | null;
  children?: ReactNode;
}

// The tone is also spelled out for screen readers: colour is never the only signal.
const TONE_WORDS: Record<Tone, string> = { green: 'OK', amber: 'warning', red: 'critical', neutral: 'information' };

export function StatusCard({ title, value, tone, detail, testId, unavailable, children }: Props) {
  const headingId = `${testId}-title`;
  return (
    <section className={`card tone-${tone}`} data-testid={testId} data-tone={tone} aria-labelledby={headingId}>
      <h2 id={headingId} className="card-title">
        {title}
      </h2>
      <p className="card-value" data-testid={`${testId}-value`}>
        <span className="light" aria-hidden="true" />
        <span>{value}</span>
        <span className="visually-hidden"> ({TONE_WORDS[tone]})</span>
      </p>
      {detail !== undefined && (
        <p className="card-detail" data-testid={`${testId}-detail`}>
          {detail}
        </p>
      )}
      {children}
      {unavailable && (
        <p className="card-unavailable muted small" data-testid={`${testId}-unavailable`}>
          {unavailable}
        </p>
      )}
    </section>
  );
}
