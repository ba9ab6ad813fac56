// One button for every action that may be refused: when it may not run (the identity's
// Vault policies, or a rule of the view such as "you requested this deletion"), it stays
// in the tab order, looks disabled (aria-disabled + CSS), does nothing when pressed, and
// says why in text next to it, tied to it with aria-describedby so keyboard and screen
// reader users get the same reason.
import { useId, type MouseEvent, type ReactNode } from 'react';
import type { GateCheck } from '../../../shared/capabilities';
import { CHECKING, useGate } from '../lib/gates';

export interface GatedButtonProps {
  /** The Vault action this button starts (its exact paths are checked); null: none. */
  gate: GateCheck | null;
  /** A reason of the view's own (not a permission) why it may not run now. */
  blocked?: string | null;
  /** Not pressable now for a reason the view already shows (working, confirmation not typed yet). */
  inactive?: boolean;
  onClick?: (e: MouseEvent<HTMLButtonElement>) => void;
  type?: 'button' | 'submit';
  className?: string;
  testId: string;
  title?: string;
  children: ReactNode;
}

export function GatedButton({ gate, blocked, inactive, onClick, type = 'button', className, testId, title, children }: GatedButtonProps) {
  const permission = useGate(gate);
  const reasonId = useId();
  const denied = permission !== null && !permission.allowed;
  const reason = blocked ?? (denied ? permission.reason : null);
  const disabled = inactive === true || reason !== null || denied;
  const checking = permission === CHECKING;
  return (
    <span
      className="gated"
      data-gate={gate?.action ?? 'local'}
      data-allowed={reason === null && !denied && !checking ? 'true' : 'false'}
      data-checking={checking ? 'true' : undefined}
      data-inactive={inactive === true ? 'true' : undefined}
      data-testid={`${testId}-gate`}
    >
      <button
        type={type}
        className={className}
        aria-disabled={disabled ? 'true' : undefined}
        aria-describedby={reason ? reasonId : undefined}
        title={title}
        onClick={(e) => {
          if (disabled) {
            // Also stops a form's implicit submission (Enter in a field clicks its submit button).
            e.preventDefault();
            return;
          }
          onClick?.(e);
        }}
        data-testid={testId}
      >
        {children}
      </button>
      {reason && (
        <span id={reasonId} className={checking ? 'gate-reason gate-checking' : 'gate-reason'} data-testid={`${testId}-reason`}>
          {reason}
        </span>
      )}
    </span>
  );
}
