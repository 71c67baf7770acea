import { type Command, Option } from 'commander';
import type { Deps } from '../../deps.ts';
import { createUser, userRoles } from '../../use-cases/users/create-user.ts';
import { listUsers } from '../../use-cases/users/list-users.ts';
import { resolveWorkspace } from '../../use-cases/workspaces/resolve-workspace.ts';
import type { Output } from '../output.ts';

export type UserCommandHelpers = {
  outputFor(command: Command): Output;
  withRuntime<T>(work: (deps: Deps) => Promise<T>): Promise<T>;
  cliActor(): string;
};

/** Reads the first line of a piped stdin; a terminal gives nothing (the password is generated). */
async function readPipedPassword(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
  return line === '' ? undefined : line;
}

/**
 * `smarketing user create | list`: the people who sign in to the dashboard. The password comes
 * from stdin (`echo "$PASSWORD" | smarketing user create …`) or is generated and printed once.
 */
export function registerUserCommand(program: Command, helpers: UserCommandHelpers): void {
  const user = program.command('user').description('dashboard users (people who sign in with a password)');
  const workspaceOption = () => new Option('--workspace <slug>', 'the workspace (default: the only one)');

  user
    .command('create')
    .description('create a user; the password is read from stdin, or generated and printed once')
    .requiredOption('--email <email>', 'their e-mail: what they sign in with')
    .requiredOption('--name <name>', 'their name')
    .addOption(new Option('--role <role>', 'what they may do').choices(userRoles).makeOptionMandatory())
    .option('--rep <id>', "the agreement's rep id of a sales user: their queue")
    .addOption(workspaceOption())
    .action(
      async (
        options: { email: string; name: string; role: string; rep?: string; workspace?: string },
        command: Command,
      ) => {
        const output = helpers.outputFor(command);
        const password = await readPipedPassword();
        const created = await helpers.withRuntime(async (deps) => {
          const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
          return createUser(
            {
              workspaceId: workspace.id,
              email: options.email,
              name: options.name,
              role: options.role,
              repId: options.rep,
              password,
              createdBy: helpers.cliActor(),
            },
            deps,
          );
        });
        const { generatedPassword, ...shown } = created;
        output.result(
          { ...shown, ...(generatedPassword === undefined ? {} : { password: generatedPassword }) },
          [
            `Created the ${created.role} user ${created.email} (${created.id})${created.repId ? `, rep ${created.repId}` : ''}.`,
            ...(generatedPassword === undefined
              ? ['They sign in with the password given on stdin.']
              : ['Their password, shown this once:', '', `  ${generatedPassword}`]),
          ].join('\n'),
        );
      },
    );

  user
    .command('list')
    .description('list the users (never their passwords)')
    .addOption(workspaceOption())
    .action(async (options: { workspace?: string }, command: Command) => {
      const output = helpers.outputFor(command);
      const users = await helpers.withRuntime(async (deps) => {
        const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
        return listUsers({ workspaceId: workspace.id }, deps);
      });
      output.result(
        { users },
        users
          .map(
            (u) =>
              `  ${u.email.padEnd(32)} ${u.role.padEnd(9)} ${(u.repId ?? '').padEnd(10)} ${u.name}${u.disabledAt ? '  (disabled)' : ''}`,
          )
          .join('\n') ||
          'No users yet. Create one with `smarketing user create --email … --name … --role …`.',
      );
    });
}
