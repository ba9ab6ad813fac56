import { useEffect, useRef, type ReactNode } from 'react';
import { useEscape } from '../../../lib/use-escape';

/**
 * A yes/no question that blocks the view until answered: Escape or Cancel says no.
 * Focus starts on Cancel, so Enter alone never confirms a switch or a sign-out.
 */
export function ConfirmDialog(props: { title: string; children: ReactNode; confirmLabel: string; onConfirm: () => void; onCancel: () => void; testId: string }) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  // Escape says no, like every dialog's (the one on top only).
  useEscape(props.onCancel);
  useEffect(() => {
    cancelRef.current?.focus();
  }, []);
  return (
    <div className="rotation-backdrop" role="presentation">
      <div className="card rotation-modal" role="alertdialog" aria-modal="true" aria-labelledby={`${props.testId}-title`} data-testid={props.testId}>
        <h2 id={`${props.testId}-title`}>{props.title}</h2>
        {props.children}
        <div className="actions rotation-actions">
          <button type="button" ref={cancelRef} onClick={props.onCancel} data-testid={`${props.testId}-cancel`}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={props.onConfirm} data-testid={`${props.testId}-confirm`}>
            {props.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
