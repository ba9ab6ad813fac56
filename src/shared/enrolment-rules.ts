// Second-factor enrolment rules the renderer and main share (zod-free: the renderer imports it).

/** How long a grant may stay open, in minutes (Vault's policy caps the wrap TTL at 72 h too). */
export const GRANT_MINUTES = { min: 15, max: 72 * 60, default: 24 * 60 } as const;
