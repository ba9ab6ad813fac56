// What kind of cluster a connection profile points at, and how the console shows it: the
// header carries the cluster's name on the environment's colour, as consoles that keep
// environments apart do (red for production). Colour is never the only signal: the label
// is always written out too.

export const PROFILE_ENVIRONMENTS = ['production', 'staging', 'test', 'development'] as const;
export type ProfileEnvironment = (typeof PROFILE_ENVIRONMENTS)[number];

export const ENVIRONMENT_STYLE: Record<ProfileEnvironment, { label: string; colour: 'red' | 'amber' | 'blue' | 'green' }> = {
  production: { label: 'Production', colour: 'red' },
  staging: { label: 'Staging', colour: 'amber' },
  test: { label: 'Test', colour: 'blue' },
  development: { label: 'Development', colour: 'green' },
};
