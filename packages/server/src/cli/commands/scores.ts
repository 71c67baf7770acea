import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { type Command, Option } from 'commander';
import type { Deps } from '../../deps.ts';
import { exportScores } from '../../use-cases/insights/export-scores.ts';
import { resolveWorkspace } from '../../use-cases/workspaces/resolve-workspace.ts';

export type ScoresCommandHelpers = {
  withRuntime<T>(work: (deps: Deps) => Promise<T>): Promise<T>;
};

/** `smarketing scores export --format csv|json [--output file]`: every contact's scores, probability and reasons, streamed. */
export function registerScoresCommand(program: Command, helpers: ScoresCommandHelpers): void {
  const scores = program.command('scores').description('contacts’ scores');
  scores
    .command('export')
    .description('fit, grade, interest, quadrant, learned probability and top reasons of every contact')
    .addOption(new Option('--workspace <slug>', 'the workspace (default: the only one)'))
    .addOption(new Option('--format <format>', 'csv or json').choices(['csv', 'json']).default('csv'))
    .option('--output <file>', 'write to this file (default: stdout)')
    .action(async (options: { workspace?: string; format: 'csv' | 'json'; output?: string }) => {
      await helpers.withRuntime(async (deps) => {
        const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
        const out = options.output === undefined ? process.stdout : createWriteStream(options.output);
        for await (const chunk of exportScores({ workspaceId: workspace.id, format: options.format }, deps)) {
          if (!out.write(chunk)) await once(out, 'drain');
        }
        if (out !== process.stdout) {
          out.end();
          await once(out, 'finish');
        }
      });
    });
}
