import { ENVIRONMENT_STYLE, type ProfileEnvironment } from '../../../../../shared/profiles/environments';

/** The environment in words and in its colour (never colour alone). */
export function EnvironmentBadge({ environment, testId }: { environment: ProfileEnvironment; testId?: string }) {
  const style = ENVIRONMENT_STYLE[environment];
  return (
    <span className={`env-badge env-${style.colour}`} data-environment={environment} data-testid={testId}>
      {style.label}
    </span>
  );
}
