import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { defaultAgreementYaml, formatAgreementDiff, formatAgreementIssue } from '@smarketing/core';
import { Command, CommanderError, Option } from 'commander';
import { AppError } from '../app-error.ts';
import { loadConfig } from '../config/config.ts';
import { createLogger } from '../log.ts';
import { startServer } from '../serve.ts';
import { applyAgreement } from '../use-cases/agreements/apply-agreement.ts';
import { checkAgreement } from '../use-cases/agreements/check-agreement.ts';
import { diffAgreementVersions } from '../use-cases/agreements/diff-agreement-versions.ts';
import { getAgreementVersion } from '../use-cases/agreements/get-agreement-version.ts';
import { listAgreementVersions } from '../use-cases/agreements/list-agreement-versions.ts';
import { createApiKey } from '../use-cases/api-keys/create-api-key.ts';
import { listApiKeys } from '../use-cases/api-keys/list-api-keys.ts';
import { revokeApiKey } from '../use-cases/api-keys/revoke-api-key.ts';
import { formatDemoUsers } from '../use-cases/demo/create-demo-users.ts';
import { createWorkspace } from '../use-cases/workspaces/create-workspace.ts';
import { listWorkspaces } from '../use-cases/workspaces/list-workspaces.ts';
import { resolveWorkspace } from '../use-cases/workspaces/resolve-workspace.ts';
import { version } from '../version.ts';
import { registerAuditCommand } from './commands/audit.ts';
import { registerBacktestCommand } from './commands/backtest.ts';
import { registerBackupCommand } from './commands/backup.ts';
import { registerBriefCommand } from './commands/brief.ts';
import { registerEraseCommand } from './commands/erase.ts';
import { registerExportCommand } from './commands/export.ts';
import { registerImportCommand } from './commands/import.ts';
import { registerInsightsCommand } from './commands/insights.ts';
import { registerReplayCommand } from './commands/replay.ts';
import { registerReportCommand } from './commands/report.ts';
import { registerRestoreCommand } from './commands/restore.ts';
import { registerScoresCommand } from './commands/scores.ts';
import { registerSimulateCommand } from './commands/simulate.ts';
import { registerSpendCommand } from './commands/spend.ts';
import { registerUserCommand } from './commands/user.ts';
import { createOutput, exitCodes, type Output, reportFailure } from './output.ts';
import { withRuntime } from './with-runtime.ts';

const defaultAgreementFile = 'smarketing.yaml';

type GlobalOptions = { json?: boolean };

function outputFor(command: Command): Output {
  return createOutput(Boolean(command.optsWithGlobals<GlobalOptions>().json));
}

function cliActor(): string {
  try {
    return `cli ${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

async function readDocument(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppError('NOT_FOUND', {
      message:
        code === 'ENOENT'
          ? `${file} does not exist. Create one with \`smarketing init ${file === defaultAgreementFile ? '' : file}\`.`.replace(
              ' `.',
              '`.',
            )
          : `${file} cannot be read (${code ?? 'unknown error'}).`,
    });
  }
}

function parseVersion(value: string): number | 'current' {
  if (value === 'current') return 'current';
  if (!/^[1-9][0-9]{0,8}$/.test(value)) {
    throw new AppError('VALIDATION_FAILED', {
      message: `"${value}" is not a version number (1, 2, … or current).`,
    });
  }
  return Number(value);
}

function buildProgram(): Command {
  const program = new Command('smarketing')
    .description('Smarketing: one language and one set of numbers for sales and marketing.')
    .version(version)
    .option('--json', 'print machine-readable JSON on stdout')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('init')
    .description('write a commented default agreement for a typical B2B company')
    .argument('[file]', 'where to write it', defaultAgreementFile)
    .option('--force', 'overwrite an existing file')
    .action(async (file: string, options: { force?: boolean }, command: Command) => {
      const output = outputFor(command);
      if (existsSync(file) && !options.force) {
        throw new AppError('CONFLICT', { message: `${file} already exists; use --force to overwrite it.` });
      }
      await writeFile(file, defaultAgreementYaml);
      output.result(
        { file, written: true },
        `Wrote ${file}. Edit it with both teams, then \`smarketing check ${file}\` and \`smarketing agreement apply ${file}\`.`,
      );
    });

  program
    .command('check')
    .description('validate an agreement and print a readable summary, or its problems')
    .argument('[file]', 'the agreement', defaultAgreementFile)
    .action(async (file: string, _options: unknown, command: Command) => {
      const output = outputFor(command);
      const result = checkAgreement({ document: await readDocument(file) });
      if (!result.ok) {
        output.result(
          { ok: false, file, issues: result.issues },
          [
            `${file} has ${result.issues.length} problem(s):`,
            ...result.issues.map((i) => `  ${formatAgreementIssue(i, file)}`),
          ].join('\n'),
        );
        process.exitCode = exitCodes.failed;
        return;
      }
      const warnings = result.warnings.map((w) => `  warning: ${formatAgreementIssue(w, file)}`);
      output.result(
        { ok: true, file, warnings: result.warnings, summary: result.summary, agreement: result.agreement },
        [`${file} is valid.`, ...warnings, '', result.summary ?? ''].join('\n'),
      );
    });

  program
    .command('serve')
    .description('start the HTTP server (creates the workspace and an admin token on the first start)')
    .action(async () => {
      const config = loadConfig(process.env);
      const log = createLogger(config.logLevel);
      const server = await startServer(config, log, (first) => {
        process.stderr.write(
          [
            '',
            `  Smarketing created the workspace "${first.workspaceName}" with the default agreement (version ${first.agreementVersion}).`,
            '  Admin API token (shown this once; store it now):',
            '',
            `    ${first.adminToken}`,
            '',
            '  Lost it? `smarketing token create --role admin --name <who>` makes another (with the server stopped, on PGlite).',
            '  Dashboard sign-in: create a user with this token, `POST /api/v1/users` {"email","name","role"} (the answer',
            '  holds a generated password, once), or, with the server stopped, `smarketing user create --email you@example.com',
            '  --name You --role admin` (add `--role sales --rep alex` for a rep). Then open the address below.',
            '  Demo data: start with SMARKETING_DEMO=true on an empty database, or stop the server and run',
            '  `npx smarketing simulate --direct` (or send over HTTP with --url and --token).',
            '',
            ...formatDemoUsers(first.demoUsers),
          ].join('\n'),
        );
      });
      process.stderr.write(`  Smarketing is listening on ${server.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          server.stop(signal).then(resolve, (error: unknown) => {
            log.error({ err: error }, 'shutdown failed');
            process.exitCode = exitCodes.failed;
            resolve();
          });
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });

  program
    .command('migrate')
    .description('bring the database schema up to date (serve does this too)')
    .action(async (_options: unknown, command: Command) => {
      const output = outputFor(command);
      const kind = await withRuntime(async (deps) => deps.database.kind);
      output.result({ migrated: true, database: kind }, `The ${kind} database schema is up to date.`);
    });

  const workspace = program
    .command('workspace')
    .description('workspaces: one company each, isolated from the others');

  workspace
    .command('create')
    .description('create a workspace with the default agreement and print its first admin token once')
    .argument('<name>', "the company's name")
    .option('--slug <slug>', 'short name for --workspace (default: from the name)')
    .action(async (name: string, options: { slug?: string }, command: Command) => {
      const output = outputFor(command);
      const created = await withRuntime((deps) =>
        createWorkspace({ name, slug: options.slug, createdBy: cliActor() }, deps),
      );
      output.result(
        created,
        [
          `Created the workspace "${created.workspaceName}" (--workspace ${created.slug}) with the default agreement as version ${created.agreementVersion}.`,
          'Admin API token (shown this once; store it now):',
          '',
          `  ${created.adminToken}`,
        ].join('\n'),
      );
    });

  workspace
    .command('list')
    .description('list the workspaces')
    .action(async (_options: unknown, command: Command) => {
      const output = outputFor(command);
      const workspaces = await withRuntime((deps) => listWorkspaces(deps));
      output.result(
        { workspaces },
        workspaces.map((w) => `  ${w.slug.padEnd(24)} ${w.name}  (${w.id})`).join('\n') ||
          'No workspaces yet.',
      );
    });

  const agreement = program
    .command('agreement')
    .description('the versions of the agreement applied to a workspace');
  const workspaceOption = new Option('--workspace <slug>', 'the workspace (default: the only one)');

  agreement
    .command('apply')
    .description('validate a document and store it as the next version')
    .argument('[file]', 'the agreement', defaultAgreementFile)
    .option('--note <text>', 'why this version is applied')
    .option('--by <name>', 'who applies it (default: the OS user)')
    .addOption(workspaceOption)
    .action(
      async (file: string, options: { note?: string; by?: string; workspace?: string }, command: Command) => {
        const output = outputFor(command);
        const document = await readDocument(file);
        const applied = await withRuntime(async (deps) => {
          const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
          return applyAgreement(
            { workspaceId: workspace.id, document, note: options.note, appliedBy: options.by ?? cliActor() },
            deps,
          );
        });
        output.result(
          applied,
          applied.unchanged
            ? `${file} is identical to version ${applied.version}; nothing applied.`
            : `Applied ${file} as version ${applied.version}.`,
        );
      },
    );

  agreement
    .command('list')
    .description('list the applied versions')
    .addOption(workspaceOption)
    .action(async (options: { workspace?: string }, command: Command) => {
      const output = outputFor(command);
      const versions = await withRuntime(async (deps) => {
        const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
        return listAgreementVersions({ workspaceId: workspace.id }, deps);
      });
      const lines = versions.map(
        (v) =>
          `  ${String(v.version).padStart(4)}  ${v.appliedAt.toISOString()}  ${v.appliedBy}${v.note ? `  — ${v.note}` : ''}`,
      );
      output.result(
        { versions },
        versions.length === 0
          ? 'No version applied yet.'
          : ['  version  applied at  by', ...lines].join('\n'),
      );
    });

  agreement
    .command('show')
    .description('print one version’s document')
    .argument('[version]', 'a version number or "current"', 'current')
    .addOption(workspaceOption)
    .action(async (versionText: string, options: { workspace?: string }, command: Command) => {
      const output = outputFor(command);
      const found = await withRuntime(async (deps) => {
        const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
        return getAgreementVersion({ workspaceId: workspace.id, version: parseVersion(versionText) }, deps);
      });
      output.result(found, found.document.trimEnd());
    });

  agreement
    .command('diff')
    .description('what changed from one version to another')
    .argument('<from>', 'the older version')
    .argument('[to]', 'the newer version or "current"', 'current')
    .addOption(workspaceOption)
    .action(async (fromText: string, toText: string, options: { workspace?: string }, command: Command) => {
      const output = outputFor(command);
      const from = parseVersion(fromText);
      if (from === 'current')
        throw new AppError('VALIDATION_FAILED', { message: 'Name the older version by number.' });
      const diff = await withRuntime(async (deps) => {
        const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
        return diffAgreementVersions({ workspaceId: workspace.id, from, to: parseVersion(toText) }, deps);
      });
      output.result(
        diff,
        diff.changes.length === 0
          ? `Versions ${diff.from} and ${diff.to} define the same agreement.`
          : [`From version ${diff.from} to ${diff.to}:`, formatAgreementDiff(diff.changes)].join('\n'),
      );
    });

  const token = program.command('token').description('API keys (stored hashed; a token is shown once)');

  token
    .command('create')
    .description('create an API key and print its token once')
    .requiredOption('--role <role>', 'admin, manager, marketing, sales, viewer or ingest')
    .requiredOption('--name <name>', 'who or what uses it')
    .addOption(workspaceOption)
    .action(async (options: { role: string; name: string; workspace?: string }, command: Command) => {
      const output = outputFor(command);
      const created = await withRuntime(async (deps) => {
        const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
        return createApiKey(
          { workspaceId: workspace.id, name: options.name, role: options.role, createdBy: cliActor() },
          deps,
        );
      });
      output.result(
        created,
        [
          `Created the ${created.role} key "${created.name}" (${created.id}). Its token, shown this once:`,
          '',
          `  ${created.token}`,
        ].join('\n'),
      );
    });

  token
    .command('list')
    .description('list the API keys (never their secrets)')
    .addOption(workspaceOption)
    .action(async (options: { workspace?: string }, command: Command) => {
      const output = outputFor(command);
      const keys = await withRuntime(async (deps) => {
        const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
        return listApiKeys({ workspaceId: workspace.id }, deps);
      });
      output.result(
        { apiKeys: keys },
        keys
          .map(
            (k) =>
              `  ${k.id}  smk_${k.prefix}_…  ${k.role.padEnd(9)}  ${k.name}${k.revokedAt ? '  (revoked)' : ''}`,
          )
          .join('\n') || 'No API keys.',
      );
    });

  token
    .command('revoke')
    .description('revoke an API key')
    .argument('<id>', 'the key id (see `token list`)')
    .addOption(workspaceOption)
    .action(async (id: string, options: { workspace?: string }, command: Command) => {
      const output = outputFor(command);
      await withRuntime(async (deps) => {
        const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
        await revokeApiKey({ workspaceId: workspace.id, id, revokedBy: cliActor() }, deps);
      });
      output.result({ id, revoked: true }, `Revoked ${id}.`);
    });

  registerImportCommand(program, { cliActor });
  registerSimulateCommand(program, { outputFor, withRuntime });
  registerReplayCommand(program, { outputFor, withRuntime });
  registerReportCommand(program, { outputFor, withRuntime });
  registerBriefCommand(program, { outputFor, withRuntime });
  registerSpendCommand(program, { outputFor, withRuntime, cliActor });
  registerInsightsCommand(program, { outputFor, withRuntime });
  registerBacktestCommand(program, { outputFor, withRuntime });
  registerScoresCommand(program, { withRuntime });
  registerUserCommand(program, { outputFor, withRuntime, cliActor });
  registerAuditCommand(program, { outputFor, withRuntime });
  registerBackupCommand(program, { outputFor, withRuntime });
  registerRestoreCommand(program, { outputFor, withRuntime });
  registerEraseCommand(program, { outputFor, withRuntime, cliActor });
  registerExportCommand(program, { outputFor, withRuntime, cliActor });

  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
      ) {
        return exitCodes.ok;
      }
      return exitCodes.usage;
    }
    return reportFailure(error, createOutput(json));
  }
}
