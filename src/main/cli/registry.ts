// Every subcommand, in the order `help` lists them. Add new commands here.
import { auditCommand } from './audit';
import { backupCommand } from './backup';
import { complianceCommand } from './compliance';
import type { Command } from './command';
import { dkimCommand } from './dkim';
import { emergencyResetCommand } from './emergency-reset';
import { evidenceCommand } from './evidence';
import { enrolmentCommand } from './enrolment';
import { helpCommand } from './help';
import { incidentCommand } from './incident';
import { loginCommand } from './login';
import { logoutCommand } from './logout';
import { rotateCommand } from './rotate';
import { seedCommand } from './seed';
import { statusCommand } from './status';
import { tenantsCommand } from './tenants';
import { unsealCommand } from './unseal';
import { watchCommand } from './watch';

export const commands: readonly Command[] = [statusCommand, loginCommand, logoutCommand, unsealCommand, seedCommand, tenantsCommand, auditCommand, backupCommand, rotateCommand, emergencyResetCommand, dkimCommand, enrolmentCommand, watchCommand, incidentCommand, evidenceCommand, complianceCommand, helpCommand(() => commands)];

export function findCommand(name: string): Command | undefined {
  return commands.find((c) => c.name === name);
}
