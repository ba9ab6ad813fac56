// Security regression (issue 13, item 13): `login -password=...` put the password in the
// process list and the shell history, and a mistyped flag (-pasword=...) echoed its value
// to stderr. The flag is gone (the password is typed without echo or piped on stdin), and
// an unknown flag is named, never repeated with its value.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTestServices, type ServicesState } from '../helpers/services';
import { oneErrorLine, runCli } from './run-cli';

let s: ServicesState;
const SECRET = `pw-${randomBytes(12).toString('hex')}`;

beforeAll(async () => {
  s = await loadTestServices();
});

describe('a password never travels on the command line', () => {
  it('login -password=... is refused with the reason, without the value, before anything else', async () => {
    for (const form of [[`-password=${SECRET}`], ['-password', SECRET], [`--password=${SECRET}`]]) {
      const r = await runCli(['login', '-username=admin', ...form], { VAULT_ADDR: s.openbao.addr });
      expect(r.code).toBe(1);
      const line = oneErrorLine(r);
      expect(line).toMatch(/-password is not accepted: .*shows in ps.*\[BAD_INPUT\]$/);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
  });

  it('a mistyped flag is named, its value never repeated', async () => {
    for (const args of [['login', `-pasword=${SECRET}`], ['status', `--tokne=${SECRET}`], ['tenants', 'search', `-pw=${SECRET}`], ['login', `-x=${SECRET}`]]) {
      const r = await runCli(args, { VAULT_ADDR: s.openbao.addr });
      expect(r.code).toBe(1);
      expect(oneErrorLine(r)).toMatch(/unknown flag/);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
  });

  it('an argument given to login in place of a flag is not repeated either', async () => {
    const r = await runCli(['login', SECRET], { VAULT_ADDR: s.openbao.addr });
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toMatch(/takes no arguments/);
    expect(r.stderr).not.toContain(SECRET);
  });

  it('the password piped on stdin signs in, and is never printed', async () => {
    const { username, password } = s.openbao.users.auditor;
    const r = await runCli(['login', `-username=${username}`, '-format=json'], { VAULT_ADDR: s.openbao.addr }, `${password}\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ signed_in: true });
    expect(r.stdout + r.stderr).not.toContain(password);
    expect((await runCli(['logout'], { VAULT_ADDR: s.openbao.addr })).code).toBe(0);
  });
});
