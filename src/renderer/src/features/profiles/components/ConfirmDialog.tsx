import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A yes/no question that blocks the view until answered: Escape or Cancel says no.
 * Focus starts on Cancel, so Enter alone never confirms a switch or a sign-out.
 */
export function ConfirmDialog(props: { title: string; children: ReactNode; confirmLabel: string; onConfirm: () => void; onCancel: () => void; testId: string }) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  const onCancel = useRef(props.onCancel);
  onCancel.current = props.onCancel;
  useEffect(() => {
    cancelRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onCancel.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
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
