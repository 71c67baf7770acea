import { type Command, Option } from 'commander';
import type { Deps } from '../../deps.ts';
import { eraseContact } from '../../use-cases/erase/erase-contact.ts';
import { resolveWorkspace } from '../../use-cases/workspaces/resolve-workspace.ts';
import type { Output } from '../output.ts';

/** `smarketing erase --contact <id|email>`: erase a person completely on request (GDPR). */
export function registerEraseCommand(
  program: Command,
  helpers: {
    outputFor(command: Command): Output;
    withRuntime<T>(work: (deps: Deps) => Promise<T>): Promise<T>;
    cliActor(): string;
  },
): void {
  program
    .command('erase')
    .description(
      'erase a person completely (GDPR): the contact, contacts merged into it, their facts, scores, engine state and notifications; audited without personal data',
    )
    .requiredOption('--contact <id|email>', 'the contact id or an e-mail address of the person')
    .addOption(new Option('--workspace <slug>', 'the workspace (default: the only one)'))
    .action(async (options: { contact: string; workspace?: string }, command: Command) => {
      const output = helpers.outputFor(command);
      const erased = await helpers.withRuntime(async (deps) => {
        const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
        return eraseContact(
          { workspaceId: workspace.id, contact: options.contact, erasedBy: helpers.cliActor() },
          deps,
        );
      });
      const total = Object.values(erased.removed).reduce((sum, n) => sum + n, 0);
      output.result(
        erased,
        [
          `Erased contact ${erased.contactId}${erased.contactIds.length > 1 ? ` and ${erased.contactIds.length - 1} contact(s) merged into it` : ''}: ${total} rows.`,
          ...Object.entries(erased.removed).map(([table, n]) => `  ${table.padEnd(22)} ${n}`),
          'Recorded in the audit log (ids and counts only).',
        ].join('\n'),
      );
    });
}
