#!/usr/bin/env node
// Electronegativity (Doyensec's scanner for Electron misconfigurations) over the app's code,
// as part of `npm run lint`. Fails on any finding, on any file it cannot parse, and on an
// `eng-disable` suppression without its reason.
//
// Suppress a false positive where it stands, with the reason:
//   TS/JS:  code(); // eng-disable CHECK_ID -- why this is not a problem here
//   HTML:   <!-- why this is not a problem here --> <!-- eng-disable CHECK_ID -->
//           (electronegativity only reads an HTML directive that ends right after the IDs,
//           so the reason goes in the comment before it, on the same line or the line above)
// A global check (CSP_GLOBAL_CHECK) is suppressed on the line its atomic check reports.
//
// Offline: electronegativity fetches translations (i18n) and Electron's release list (the
// AvailableSecurityFixesGlobalCheck) with `got`. Here `got` is replaced before the scanner
// loads: the translation request is answered "not found" without a socket, anything else
// throws. The release check is excluded (it needs the network); the Electron version is
// kept current by hand (package.json pins it).
//
// Usage: node scripts/electronegativity.mjs [--input <dir>] (default: src)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'package.json'));

const EXCLUDED_CHECKS = [
  // Downloads Electron's release list from GitHub; this lint runs offline.
  'AvailableSecurityFixesGlobalCheck',
];
/** Fewer than this many checks loaded means a broken install that would check nothing. */
const MIN_CHECKS = 30;

function parseArgs(argv) {
  const opts = { input: join(ROOT, 'src') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--input' && argv[i + 1]) opts.input = resolve(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return opts;
}

/** `got`, offline: the i18n request gets a 404 (the bundled locales are used), anything else throws. */
function installOfflineGot(i18nSource) {
  const offline = (url) => {
    if (typeof url === 'string' && url.startsWith(`${i18nSource}/`)) return Promise.resolve({ statusCode: 404, body: '', headers: {} });
    return Promise.reject(new Error(`electronegativity lint runs offline; refused a request to ${String(url)}`));
  };
  offline.head = offline;
  const load = Module._load;
  Module._load = function (request, ...rest) {
    if (request === 'got') return offline;
    return load.call(this, request, ...rest);
  };
}

const SOURCE = /\.(?:[cm]?[jt]sx?|html?)$/i;

function listFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else if (SOURCE.test(name)) out.push(path);
  }
  return out;
}

/** Every eng-disable must say why, on its line (`-- reason`) or in the comment just before it. */
function suppressionsWithoutReason(files) {
  const bad = [];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const at = line.indexOf('eng-disable');
      if (at < 0) return;
      const sameLine = /eng-disable[ \t]+[\w \t]+?[ \t]+--[ \t]+\S+(?:[ \t]+\S+){2,}/.test(line);
      const before = line.slice(0, at);
      const commentBefore = /<!--[^>]*\w[^>]*-->/.test(before) || /\/\/.*\w/.test(before.replace(/\/\/[ \t]*$/, ''));
      const previous = (lines[i - 1] ?? '').trim();
      const commentAbove = /^(?:\/\/|\/\*|\*|<!--)/.test(previous) && /\w/.test(previous);
      if (!sameLine && !commentBefore && !commentAbove) bad.push(`${relative(ROOT, file)}:${i + 1}`);
    });
  }
  return bad;
}

async function main() {
  const { input } = parseArgs(process.argv.slice(2));
  const pkg = JSON.parse(readFileSync(require.resolve('@doyensec/electronegativity/package.json'), 'utf8'));
  installOfflineGot(pkg.i18nSource);
  // The version of the electron package, read as a file: require('electron') would try to
  // download the binary (Electron 42+).
  const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
  process.env.LANG = 'en-US';

  const files = listFiles(input);
  const unexplained = suppressionsWithoutReason(files);

  const run = require('@doyensec/electronegativity');
  const result = await run(
    {
      input,
      customScan: [],
      excludeFromScan: EXCLUDED_CHECKS.map((c) => c.toLowerCase()),
      electronVersionOverride: electronVersion,
      parserPlugins: [],
      isRelative: false,
    },
    false,
  );

  const problems = [];
  const checks = result.globalChecks + result.atomicChecks;
  if (checks < MIN_CHECKS) problems.push(`only ${checks} checks loaded (expected at least ${MIN_CHECKS}); is the install broken?`);
  if (files.length === 0) problems.push(`no source files under ${relative(ROOT, input) || '.'}`);
  for (const e of result.errors) {
    if (!e.tolerable) problems.push(`${relative(ROOT, e.file)}: could not be parsed, so it was not checked (${e.message})`);
  }
  for (const i of result.issues) {
    const where = i.file === 'N/A' ? 'the app' : `${relative(ROOT, i.file)}:${i.location.line}:${i.location.column}`;
    problems.push(`${where} ${i.id} (${i.severity.name}, ${i.confidence.name}${i.manualReview ? ', review' : ''}): ${i.description} ${i.shortenedURL}${i.sample ? `\n    ${i.sample}` : ''}`);
  }
  for (const where of unexplained) problems.push(`${where} eng-disable without a reason (write "-- why" after the check IDs, or a comment on the line above)`);

  if (problems.length > 0) {
    console.error(`electronegativity: ${problems.length} problem(s) in ${relative(ROOT, input) || '.'} (Electron ${electronVersion}, ${checks} checks, ${files.length} files):`);
    for (const p of problems) console.error(`  ${p}`);
    console.error('Fix it, or suppress a false positive where it stands with the reason (see scripts/electronegativity.mjs).');
    process.exitCode = 1;
    return;
  }
  if (process.env.ELECTRONEGATIVITY_VERBOSE === '1') console.warn(`electronegativity: no findings (Electron ${electronVersion}, ${checks} checks, ${files.length} files)`);
}

main().catch((err) => {
  console.error(`electronegativity: ${err instanceof Error ? err.stack : String(err)}`);
  process.exitCode = 1;
});
