import { useEffect } from 'react';
import type { TenantFilter } from '../../../../../shared/contract';
import { useRotationStore } from '../store';
import { BulkPreview } from './BulkPreview';

/**
 * "Rotate what this filter shows", mounted by the tenant list: a previewed bulk job over the
 * filter's tenants and types (e.g. Overdue + SSH Keys = "rotate overdue SSH keys"), with the
 * same preview, confirmation and report as the Rotation view.
 */
export function RotateFilterButton({ filter, count }: { filter: TenantFilter; count: number }) {
  const { preview, previewOrigin, previewBusy, started, error } = useRotationStore();
  const { makePreview, clearPreview, listen } = useRotationStore.getState();
  useEffect(() => listen(), [listen]);
  // A changed filter makes an open preview stale: it goes away.
  const key = JSON.stringify(filter);
  useEffect(() => {
    if (useRotationStore.getState().previewOrigin === 'tenants') clearPreview();
  }, [key, clearPreview]);

  const mine = previewOrigin === 'tenants';
  return (
    <div className="tenant-bulk" data-testid="rotate-filter">
      <button type="button" disabled={previewBusy || count === 0} onClick={() => void makePreview({ mode: 'filter', filter }, 'tenants')} data-testid="rotate-filter-button">
        Rotate what this filter shows
      </button>
      {count === 0 && <span className="muted small"> No tenant matches the filter.</span>}
      {mine && previewBusy && <span className="muted"> Counting the secrets and checking your permissions…</span>}
      {mine && error && (
        <p className="error" role="alert" data-testid="rotate-filter-error">
          {error}
        </p>
      )}
      {mine && preview && <BulkPreview preview={preview} />}
      {mine && started && (
        <p data-testid="rotate-filter-started" role="status">
          Job {started.id} ({started.label}): {started.status}, {started.done} rotated, {started.failed} failed, {started.changed} changed since the preview,{' '}
          {started.remaining} remaining. The Rotation view shows its report.
        </p>
      )}
    </div>
  );
}
