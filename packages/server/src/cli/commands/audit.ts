import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Deps } from '../../deps.ts';
import { listAudit } from '../../use-cases/audit/list-audit.ts';
import { resolveWorkspace } from '../../use-cases/workspaces/resolve-workspace.ts';
import type { Output } from '../output.ts';

/** `smarketing audit`: who changed what, newest first (`--json` for the entries). */
export function registerAuditCommand(
  program: Command,
  helpers: {
    outputFor(command: Command): Output;
    withRuntime<T>(work: (deps: Deps) => Promise<T>): Promise<T>;
  },
): void {
  program
    .command('audit')
    .description(
      'who changed what: agreement versions, API keys, manual stage moves, webhooks, users, erasures',
    )
    .addOption(new Option('--workspace <slug>', 'the workspace (default: the only one)'))
    .option('--action <action>', 'only this action, e.g. agreement.apply')
    .option('--since <time>', 'only entries from this instant (ISO 8601)', parseInstant)
    .option('--limit <n>', 'at most this many entries', parseLimit, 100)
    .action(
      async (
        options: { workspace?: string; action?: string; since?: Date; limit: number },
        command: Command,
      ) => {
        const output = helpers.outputFor(command);
        const entries = await helpers.withRuntime(async (deps) => {
          const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
          return listAudit(
            {
              workspaceId: workspace.id,
              limit: options.limit,
              ...(options.action === undefined ? {} : { action: options.action }),
              ...(options.since === undefined ? {} : { since: options.since }),
            },
            deps,
          );
        });
        output.result(
          { entries },
          entries
            .map(
              (entry) =>
                `${entry.at.toISOString()}  ${entry.action.padEnd(20)} ${entry.target ?? ''}  by ${entry.actor}`,
            )
            .join('\n') || 'No audit entries.',
        );
      },
    );
}

function parseInstant(value: string): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime()))
    throw new InvalidArgumentError('expected an ISO 8601 time, like 2027-03-01T00:00:00Z');
  return at;
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new InvalidArgumentError('expected 1 to 10000');
  return limit;
}
