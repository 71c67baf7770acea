#!/usr/bin/env node
// Dependency audit of the production dependencies (docs/SECURITY.md, "Dependencies"):
// `npm audit --omit=dev --json`, then the policy:
//   - a high or critical advisory fails, unless .ci/audit-allowlist.json accepts it (its GHSA id
//     or URL, with a reason and an expiry date; an expired acceptance fails again);
//   - moderate and low advisories are printed, and do not fail;
//   - when the advisory service cannot answer (offline, or a registry mirror without the audit
//     API), the step prints a loud warning and passes, unless AUDIT_STRICT=1 (release builds),
//     where it fails. Any other error of npm fails.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const strict = process.env.AUDIT_STRICT === '1';
// AUDIT_REPORT_FILE and AUDIT_ALLOWLIST_FILE replace npm's answer and the allow-list (the policy's test).
const allowlistFile = process.env.AUDIT_ALLOWLIST_FILE ?? new URL('./audit-allowlist.json', import.meta.url);
const allowlist = JSON.parse(readFileSync(allowlistFile, 'utf8'));
const today = new Date().toISOString().slice(0, 10);

function readAuditOutput() {
  if (process.env.AUDIT_REPORT_FILE) return readFileSync(process.env.AUDIT_REPORT_FILE, 'utf8');
  try {
    return execFileSync('npm', ['audit', '--omit=dev', '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // npm audit exits non-zero when it finds anything; its JSON is still on stdout.
    return error.stdout ?? '';
  }
}

const output = readAuditOutput();
let report;
try {
  report = JSON.parse(output);
} catch {
  console.error('npm audit printed no JSON report:\n', output.slice(0, 2000));
  process.exit(1);
}

if (report.error || report.statusCode || !report.vulnerabilities) {
  const status = report.statusCode ?? report.error?.code ?? 'unknown';
  const unreachable =
    [404, 405, 500, 502, 503, 504].includes(report.statusCode) ||
    /ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ECONNRESET/.test(JSON.stringify(report));
  const banner = [
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    `!! DEPENDENCY AUDIT NOT RUN: the advisory service did not answer (${status}).`,
    `!! ${report.message ?? report.error?.summary ?? ''}`.trimEnd(),
    '!! Run `AUDIT_STRICT=1 node .ci/audit.mjs` where the npm registry is reachable.',
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
  ].join('\n');
  console.error(banner);
  process.exit(unreachable && !strict ? 0 : 1);
}

const accepted = new Map();
for (const entry of allowlist.advisories ?? []) {
  if (!entry.id || !entry.reason || !entry.expires) {
    console.error(`audit-allowlist.json: every entry needs id, reason and expires: ${JSON.stringify(entry)}`);
    process.exit(1);
  }
  accepted.set(entry.id, entry);
}

const failures = [];
const notes = [];
for (const [name, vulnerability] of Object.entries(report.vulnerabilities)) {
  const advisories = (vulnerability.via ?? []).filter((via) => typeof via === 'object');
  // A package only vulnerable through another (via is a name) is reported with that one.
  for (const advisory of advisories) {
    const id = advisory.url?.split('/').pop() ?? String(advisory.source);
    const line = `${advisory.severity.padEnd(8)} ${name} ${advisory.range ?? ''}: ${advisory.title} (${advisory.url ?? id})`;
    if (!['high', 'critical'].includes(advisory.severity)) {
      notes.push(line);
      continue;
    }
    const acceptance = accepted.get(id) ?? accepted.get(advisory.url);
    if (acceptance && acceptance.expires >= today)
      notes.push(`${line} — accepted until ${acceptance.expires}: ${acceptance.reason}`);
    else if (acceptance) failures.push(`${line} — the acceptance expired on ${acceptance.expires}`);
    else failures.push(line);
  }
}

const counts = report.metadata?.vulnerabilities ?? {};
console.log(`npm audit --omit=dev: ${JSON.stringify(counts)}`);
for (const line of notes) console.log(`  note: ${line}`);
if (failures.length > 0) {
  console.error(
    'High or critical advisories in production dependencies (fix, or accept in .ci/audit-allowlist.json):',
  );
  for (const line of failures) console.error(`  ${line}`);
  process.exit(1);
}
console.log('No unaccepted high or critical advisory in production dependencies.');
