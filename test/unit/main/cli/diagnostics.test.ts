// What a user's terminal shows of progress and log lines: on a terminal a status line
// that is erased when the command ends; off a terminal, held lines printed only on success.
import { describe, expect, it } from 'vitest';
import { CliDiagnostics } from '../../../../src/main/cli/diagnostics';

/** Renders what a terminal would show: \r returns to column 0, ESC[K erases to the end of the line. */
function screen(raw: string): string {
  const lines: string[] = [''];
  let col = 0;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      lines.push('');
      col = 0;
    } else if (raw.startsWith('\x1b[K', i)) {
      lines[lines.length - 1] = lines.at(-1)!.slice(0, col);
      i += 2;
    } else {
      const cur = lines.at(-1)!;
      lines[lines.length - 1] = cur.slice(0, col) + ch + cur.slice(col + 1);
      col++;
    }
  }
  return lines.join('\n');
}

function writer(isTTY: boolean) {
  const out: string[] = [];
  return { w: { write: (c: string) => out.push(c), isTTY }, text: () => out.join('') };
}

describe('CLI progress and log lines', () => {
  it('on a terminal, a failing command leaves only its error line', () => {
    const t = writer(true);
    const d = new CliDiagnostics(t.w, false);
    d.progress('[tenants] listing 0/0 (0%)');
    d.progress('[tenants] scanning 10/300 (3%)');
    d.log('warn [inventory] sync run 2 failed');
    d.finish(false);
    t.w.write('Error: Vault is sealed (LIST tenants/metadata). [VAULT_SEALED]\n');
    expect(screen(t.text())).toBe('Error: Vault is sealed (LIST tenants/metadata). [VAULT_SEALED]\n');
  });

  it('off a terminal, progress and logs appear after a success and never after a failure', () => {
    const ok = writer(false);
    const a = new CliDiagnostics(ok.w, false);
    a.progress('[seed] 4/4 tenants (100%)');
    expect(ok.text()).toBe('');
    a.finish(true);
    expect(ok.text()).toBe('[seed] 4/4 tenants (100%)\n');

    const bad = writer(false);
    const b = new CliDiagnostics(bad.w, false);
    b.progress('[backup] restore x starting');
    b.log('error [backup] restore x failed');
    b.finish(false);
    expect(bad.text()).toBe('');
  });

  it('-verbose streams everything as it happens', () => {
    const t = writer(false);
    const d = new CliDiagnostics(t.w, true);
    d.progress('[tenants] listing 0/0 (0%)');
    d.log('warn [inventory] x');
    expect(t.text()).toBe('[tenants] listing 0/0 (0%)\nwarn [inventory] x\n');
    d.finish(false);
    expect(t.text()).toBe('[tenants] listing 0/0 (0%)\nwarn [inventory] x\n');
  });

  it('a long-lived service that started streams: held lines first, then each line as it comes, also after a later failure', () => {
    const t = writer(false);
    const d = new CliDiagnostics(t.w, false);
    d.log('warn [watch] no routing key configured');
    expect(t.text()).toBe('');
    d.stream();
    expect(t.text()).toBe('warn [watch] no routing key configured\n');
    d.log('info [watch] watching http://127.0.0.1:8200');
    expect(t.text()).toBe('warn [watch] no routing key configured\ninfo [watch] watching http://127.0.0.1:8200\n');
    d.finish(false);
    expect(t.text()).toBe('warn [watch] no routing key configured\ninfo [watch] watching http://127.0.0.1:8200\n');
  });
});
