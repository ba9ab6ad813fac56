// Icons shipped with the app as inline SVG: no emoji font, no icon font, no remote
// asset (the CSP allows none). They take the text colour and are hidden from screen
// readers; the button that holds one carries the accessible name.
import type { SVGProps } from 'react';

type IconProps = Omit<SVGProps<SVGSVGElement>, 'children'> & { size?: number };

function Svg({ size = 16, children, ...rest }: IconProps & { children: React.ReactNode }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false" className="icon" {...rest}>
      {children}
    </svg>
  );
}

/** An open eye: "show the password". */
export function EyeIcon(props: IconProps) {
  return (
    <Svg data-icon="eye" {...props}>
      <path d="M1 12s4-7 11-7 11 7 11 7-4 7-11 7S1 12 1 12z" />
      <circle cx="12" cy="12" r="3" />
    </Svg>
  );
}

/** A struck-through eye: "hide the password". */
export function EyeOffIcon(props: IconProps) {
  return (
    <Svg data-icon="eye-off" {...props}>
      <path d="M9.9 5.2A10.4 10.4 0 0 1 12 5c7 0 11 7 11 7a18.5 18.5 0 0 1-2.7 3.6" />
      <path d="M6.6 6.6A18.3 18.3 0 0 0 1 12s4 7 11 7a10.6 10.6 0 0 0 5.4-1.4" />
      <path d="M9.9 9.9a3 3 0 0 0 4.2 4.2" />
      <path d="M1 1l22 22" />
    </Svg>
  );
}
