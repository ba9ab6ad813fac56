// `vault-console emergency-reset <tenant> <smtp|ssh> -incident=INC-…`: replaces the
// SMTP password or both SSH keys with no grace period (the old credential is invalid
// at once) and records the incident ID with the new version.
import { AppError } from '../../shared/errors';
import { COMMON_FLAGS } from './args';
import type { Command } from './command';
import { EXIT, printJson, printKeyValue } from './io';
import { openCliRotation, resultRows, ROTATE_COMMON_FLAGS } from './rotate-common';

export const emergencyResetCommand: Command = {
  name: 'emergency-reset',
  summary: 'Security incident: replace a tenant SMTP password or SSH keys now, no grace period.',
  usage: 'vault-console emergency-reset <tenant> <smtp|ssh> -incident=INC-1234 [-reason=TEXT] [-mount=M] [-format=table|json]',
  flags: {
    ...COMMON_FLAGS,
    ...ROTATE_COMMON_FLAGS,
    incident: { type: 'string', description: 'Incident ID (required), e.g. INC-2041 or SIRT-2026-004.' },
    reason: { type: 'string', description: 'Why (default: "Emergency reset (<incident>)").' },
  },
  async run({ flags, positionals }, io) {
    if (positionals.length !== 2) throw new AppError('BAD_INPUT', 'emergency-reset: expected <tenant> <smtp|ssh>');
    const which = positionals[1]!;
    if (which !== 'smtp' && which !== 'ssh') throw new AppError('BAD_INPUT', `emergency-reset: target must be smtp or ssh, got ${JSON.stringify(which.slice(0, 30))}`);
    if (typeof flags.incident !== 'string') throw new AppError('BAD_INPUT', 'emergency-reset: -incident is required');
    const rot = await openCliRotation(io, flags);
    try {
      const rs = await rot.service.emergencyReset(positionals[0]!, which, flags.incident, typeof flags.reason === 'string' ? flags.reason : undefined);
      if (flags.format === 'json') printJson(io, rs.map(({ apiKeyOnce: _drop, ...r }) => r));
      else rs.forEach((r, i) => {
        if (i > 0) io.stdout.write('\n');
        printKeyValue(io, resultRows(r));
      });
      return EXIT.ok;
    } finally {
      rot.close();
    }
  },
};
