// A fresh machine must pass the whole suite (issue 13, item 17: the DKIM test needed
// Debian's python3-dkim, which scripts/setup.sh did not install; the machines that passed
// had it by hand). This test reads every program and Python module that test/ and scripts/
// start, and fails unless setup.sh's APT_PACKAGES brings it (or it is part of every Debian
// system, or a documented prerequisite). Where the program is installed here, dpkg must
// agree that the declared package (or one of its dependencies) is what provides it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..', '..');

/** Program → the APT_PACKAGES entry that brings it (directly or as a dependency). */
const FROM_APT: Record<string, string> = {
  openssl: 'openssl',
  oathtool: 'oathtool',
  'ssh-keygen': 'openssh-client',
  python3: 'python3',
  jq: 'jq',
  chromium: 'chromium',
  initdb: 'postgresql',
  pg_ctl: 'postgresql',
  pg_isready: 'postgresql',
  postgres: 'postgresql',
  'dbus-run-session': 'dbus',
  'dbus-send': 'dbus',
  'gnome-keyring-daemon': 'gnome-keyring',
  prometheus: 'prometheus',
  promtool: 'prometheus',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  amtool: 'prometheus-alertmanager',
};

/** Python module → the APT_PACKAGES entry that brings it. */
const PYTHON_FROM_APT: Record<string, string> = { dkim: 'python3-dkim' };
const PYTHON_STDLIB = new Set(['sys', 'json', 'os', 're', 'base64', 'hashlib', 'subprocess', 'time', 'email']);

/** Essential on every Debian system (coreutils, bash, grep, sed, dpkg, ...): nothing to install. */
const ESSENTIAL = new Set(
  'bash sh id uname cat mktemp chmod mkdir rm head tail base64 tr seq sleep sha256sum cut date mv cp ls dirname basename timeout env kill wc sort uniq tee grep sed awk find xargs tar gzip dpkg dpkg-query apt-get true false printf echo test readlink realpath touch mkfifo'.split(' '),
);

/** Prerequisites the README names (Node.js 20, Go) and what comes with them. */
const PREREQUISITES = new Set(['node', 'npx', 'npm', 'go']);

/** Called only where present (setup.sh checks `command -v` first): stopping a package's own daemon. */
const ONLY_WHERE_PRESENT = new Set(['systemctl', 'update-rc.d']);

// Shell keywords that come before a command, and builtins (whose arguments are not commands).
const SHELL_PREFIX = new Set('if then else elif fi do done while until esac { } ! [[ ]] exec time'.split(' '));
const SHELL_BUILTINS = new Set(
  'return exit set unset export local declare readonly shift trap source . : [ cd pwd wait read eval type hash break continue echo printf test true false command'.split(' '),
);

function filesUnder(dir: string, exts: string[]): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(p);
  }
  return out;
}

interface Use {
  name: string;
  where: string;
}

/** Programs a TypeScript/JavaScript file starts, and the Python modules its inline scripts import. */
function scanCode(file: string, text: string): { programs: Use[]; modules: Use[] } {
  const where = relative(ROOT, file);
  const programs: Use[] = [];
  const modules: Use[] = [];
  const add = (raw: string) => {
    const name = raw.replace(/^\/usr\/(?:local\/)?s?bin\//, '').replace(/^\/bin\//, '');
    if (!name.includes('/') && !name.includes('$')) programs.push({ name, where });
  };
  // execFile('x', ...), spawn('x', ...), run('x', ...) (a promisified execFile), promisify(execFile)('x', ...)
  const call = /\b(?:execFile|execFileSync|spawn|spawnSync|spawnLogged|exec|execSync)\s*\(\s*(['"`])([^'"`$\s]+)\1/g;
  for (const m of text.matchAll(call)) add(m[2]!);
  // run('x', ...) where run is a promisified execFile (elsewhere, run() is SQLite's).
  if (/\bconst run = promisify\(\s*execFile\s*\)/.test(text)) for (const m of text.matchAll(/\brun\s*\(\s*(['"`])([^'"`$\s]+)\1/g)) add(m[2]!);
  for (const m of text.matchAll(/promisify\(\s*execFile\s*\)\s*\(\s*(['"`])([^'"`$\s]+)\1/g)) add(m[2]!);
  // A binary found in a directory: run(join(bin, 'initdb'), ...)
  for (const m of text.matchAll(/\b(?:execFile|execFileSync|spawn|spawnSync|spawnLogged|run)\s*\(\s*join\(\s*bin\s*,\s*'([\w.-]+)'\s*\)/g)) add(m[1]!);
  // Absolute paths of system programs named anywhere (executablePath: '/usr/bin/chromium').
  for (const m of text.matchAll(/['"`](\/usr\/bin\/[\w.+-]+)['"`]/g)) add(m[1]!);
  // Inline Python (python3 -c): its import lines have no quotes or braces, unlike TypeScript's.
  if (/python3/.test(text)) {
    for (const m of text.matchAll(/^\s*import\s+([a-z_]\w*(?:\s*,\s*[a-z_]\w*)*)\s*$/gm)) {
      for (const mod of m[1]!.split(',')) modules.push({ name: mod.trim(), where });
    }
    for (const m of text.matchAll(/^\s*from\s+([a-z_]\w*)(?:\.\w+)*\s+import\s+[\w, ]+$/gm)) modules.push({ name: m[1]!, where });
  }
  return { programs, modules };
}

/**
 * The commands a shell script runs: the first word of each simple command, after quoted
 * text (messages, inline programs for other interpreters) is set aside, and skipping the
 * script's own functions. Commands inside quoted "$(...)" are not seen; keep programs a
 * test needs out of quotes, or name them in a `for tool in ...; do command -v` check.
 */
function scanShell(file: string, text: string): Use[] {
  const where = relative(ROOT, file);
  const out: Use[] = [];
  for (const m of text.matchAll(/^\s*for\s+\w+\s+in\s+([^;\n]+);\s*do\s*\n?\s*command\s+-v/gm)) {
    for (const t of m[1]!.trim().split(/\s+/)) out.push({ name: t, where });
  }
  const functions = new Set([...text.matchAll(/^\s*(?:function\s+)?([\w-]+)\s*\(\)\s*\{/gm)].map((m) => m[1]!));
  const unquoted = text
    .replace(/\\\n/g, ' ')
    .replace(/\\["']/g, ' ')
    .replace(/'[^']*'/g, ' Q ')
    .replace(/"(?:[^"\\]|\\.)*"/g, ' Q ');
  for (const rawLine of unquoted.split('\n')) {
    const line = rawLine.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    for (const m of line.matchAll(/command\s+-v\s+([a-z][\w.+-]*)/g)) out.push({ name: m[1]!, where });
    // Split into simple commands at ; | && || $( ` and ( and take each one's first word.
    for (const seg of line.split(/;|\|\||&&|\||\$\(|`|\(/)) {
      const words = seg.trim().split(/\s+/).filter(Boolean);
      if (words[0] === 'for' || words[0] === 'case') continue;
      let i = 0;
      while (i < words.length && (/^\w+=/.test(words[i]!) || SHELL_PREFIX.has(words[i]!))) i++;
      const w = words[i];
      if (!w || !/^[a-z][\w.+-]*$/.test(w) || functions.has(w) || SHELL_BUILTINS.has(w)) continue;
      out.push({ name: w, where });
    }
  }
  return out;
}

function aptPackages(): Set<string> {
  const setup = readFileSync(join(ROOT, 'scripts', 'setup.sh'), 'utf8');
  const m = /APT_PACKAGES=\(([^)]*)\)/.exec(setup);
  if (!m) throw new Error('scripts/setup.sh has no APT_PACKAGES=( ... ) list');
  return new Set(m[1]!.split(/\s+/).filter(Boolean));
}

function collect(): { programs: Use[]; modules: Use[] } {
  const code = [
    ...filesUnder(join(ROOT, 'test'), ['.ts', '.mjs', '.js']),
    ...filesUnder(join(ROOT, 'scripts'), ['.ts', '.mjs', '.js']),
    join(ROOT, 'playwright.config.ts'),
  ].filter((f) => existsSync(f) && !f.endsWith('setup-installs-what-tests-call.test.ts'));
  const shell = [...filesUnder(join(ROOT, 'test'), ['.sh']), ...filesUnder(join(ROOT, 'scripts'), ['.sh'])];
  const programs: Use[] = [];
  const modules: Use[] = [];
  for (const f of code) {
    const r = scanCode(f, readFileSync(f, 'utf8'));
    programs.push(...r.programs);
    modules.push(...r.modules);
  }
  for (const f of shell) programs.push(...scanShell(f, readFileSync(f, 'utf8')));
  return { programs, modules };
}

/** Owners of each path per dpkg, in one call ("pkg1, pkg2: /path" lines). */
function dpkgOwners(paths: string[]): Map<string, Set<string>> {
  const owners = new Map<string, Set<string>>();
  if (paths.length === 0) return owners;
  let out = '';
  try {
    out = execFileSync('dpkg', ['-S', ...paths], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (err) {
    // Exit 1 when some path is not owned (an alternatives link); the rest is on stdout.
    out = String((err as { stdout?: string }).stdout ?? '');
  }
  for (const line of out.split('\n')) {
    const i = line.indexOf(': ');
    if (i < 0) continue;
    const path = line.slice(i + 2).trim();
    const set = owners.get(path) ?? new Set<string>();
    for (const o of line.slice(0, i).split(',')) set.add(o.trim().replace(/:\w+$/, ''));
    owners.set(path, set);
  }
  return owners;
}

/** Installed dependencies, `depth` levels from the roots, one apt-cache call per level. */
function dependencyGraph(roots: string[], depth = 3): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  let frontier = [...new Set(roots)];
  for (let d = 0; d < depth && frontier.length > 0; d++) {
    let out = '';
    try {
      out = execFileSync('apt-cache', ['depends', '--installed', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', ...frontier], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch {
      break;
    }
    let current = '';
    for (const line of out.split('\n')) {
      if (/^\S/.test(line)) {
        current = line.trim();
        if (!graph.has(current)) graph.set(current, []);
      } else {
        const dep = /^\s*\|?(?:Pre)?Depends:\s*<?([\w.+-]+)/.exec(line)?.[1];
        if (dep && current) graph.get(current)!.push(dep);
      }
    }
    frontier = [...new Set(frontier.flatMap((p) => graph.get(p) ?? []))].filter((p) => !graph.has(p));
  }
  return graph;
}

function reaches(graph: Map<string, string[]>, from: string, targets: Set<string>): boolean {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const p = queue.shift()!;
    if (targets.has(p)) return true;
    if (seen.has(p)) continue;
    seen.add(p);
    queue.push(...(graph.get(p) ?? []));
  }
  return false;
}

/** For each [path, declared package]: the ones dpkg says come neither from the package nor its dependencies. */
function disagreements(pairs: Array<{ label: string; path: string; declared: string }>): string[] {
  const owners = dpkgOwners([...new Set(pairs.flatMap((p) => [p.path, realpathSync(p.path)]))]);
  const ownersOf = (p: { path: string }) => new Set([...(owners.get(p.path) ?? []), ...(owners.get(realpathSync(p.path)) ?? [])]);
  const indirect = pairs.filter((p) => ownersOf(p).size > 0 && !ownersOf(p).has(p.declared));
  const graph = dependencyGraph(indirect.map((p) => p.declared));
  return indirect.filter((p) => !reaches(graph, p.declared, ownersOf(p))).map((p) => `${p.label} (${p.path}) does not come from ${p.declared}: dpkg says ${[...ownersOf(p)].join(', ')}`);
}

function which(name: string): string | null {
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin']) if (existsSync(join(dir, name))) return join(dir, name);
  if (name === 'initdb' || name === 'pg_ctl' || name === 'pg_isready' || name === 'postgres') {
    const root = '/usr/lib/postgresql';
    if (existsSync(root)) for (const v of readdirSync(root)) if (existsSync(join(root, v, 'bin', name))) return join(root, v, 'bin', name);
  }
  return null;
}

describe('scripts/setup.sh installs every program and Python module the tests call', () => {
  const apt = aptPackages();
  const { programs, modules } = collect();

  it('finds what the tests call (the scanner itself works)', () => {
    const names = new Set(programs.map((p) => p.name));
    for (const known of ['openssl', 'oathtool', 'ssh-keygen', 'python3', 'chromium', 'gnome-keyring-daemon', 'initdb']) expect(names, known).toContain(known);
    expect(modules.map((m) => m.name)).toContain('dkim');
  });

  it('every program is in APT_PACKAGES (through the table), essential, or a prerequisite', () => {
    const problems: string[] = [];
    for (const { name, where } of programs) {
      if (ESSENTIAL.has(name) || PREREQUISITES.has(name) || ONLY_WHERE_PRESENT.has(name)) continue;
      const pkg = FROM_APT[name];
      if (!pkg) problems.push(`${where} runs "${name}": add its Debian package to APT_PACKAGES in scripts/setup.sh and to FROM_APT here`);
      else if (!apt.has(pkg)) problems.push(`${where} runs "${name}" from Debian's ${pkg}, which APT_PACKAGES in scripts/setup.sh does not list`);
    }
    expect([...new Set(problems)]).toEqual([]);
  });

  it('every Python module is in APT_PACKAGES (through the table) or the standard library', () => {
    const problems: string[] = [];
    for (const { name, where } of modules) {
      if (PYTHON_STDLIB.has(name)) continue;
      const pkg = PYTHON_FROM_APT[name];
      if (!pkg) problems.push(`${where} imports Python module "${name}": add its Debian package to APT_PACKAGES and to PYTHON_FROM_APT here`);
      else if (!apt.has(pkg)) problems.push(`${where} imports "${name}" from Debian's ${pkg}, which APT_PACKAGES in scripts/setup.sh does not list`);
    }
    expect([...new Set(problems)]).toEqual([]);
  });

  it('where installed, dpkg agrees with the table (so the table cannot drift into fiction)', () => {
    const pairs: Array<{ label: string; path: string; declared: string }> = [];
    for (const [name, pkg] of Object.entries(FROM_APT)) {
      const path = which(name);
      if (path) pairs.push({ label: name, path, declared: pkg });
    }
    for (const [mod, pkg] of Object.entries(PYTHON_FROM_APT)) {
      try {
        const file = execFileSync('/usr/bin/python3', ['-c', `import ${mod}; print(${mod}.__file__)`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
        pairs.push({ label: `Python module ${mod}`, path: file, declared: pkg });
      } catch {
        // Not installed here: the APT_PACKAGES check above is what matters.
      }
    }
    expect(disagreements(pairs)).toEqual([]);
  }, 60_000);
});
