import { Presets, SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Deps } from '../../deps.ts';
import { replayEngine } from '../../use-cases/engine/replay-engine.ts';
import { runEngineUntilCaughtUp } from '../../use-cases/engine/run-engine.ts';
import { resolveWorkspace } from '../../use-cases/workspaces/resolve-workspace.ts';
import type { Output } from '../output.ts';

export type ReplayCommandHelpers = {
  outputFor(command: Command): Output;
  withRuntime<T>(work: (deps: Deps) => Promise<T>): Promise<T>;
};

/**
 * `smarketing replay`: rebuilds the engine's derived tables from the stored facts, under the
 * current agreement or `--agreement-version`, with a progress bar; `smarketing engine catch-up`
 * processes the facts live processing has not reached yet (what the server does continuously).
 */
export function registerReplayCommand(program: Command, helpers: ReplayCommandHelpers): void {
  program
    .command('replay')
    .description(
      'rebuild scores, stages, assignments, SLA clocks and alerts from the stored facts (the same result live processing produced)',
    )
    .addOption(new Option('--workspace <slug>', 'the workspace (default: the only one)'))
    .option(
      '--agreement-version <n>',
      'replay under this agreement version (default: the current one)',
      parseVersion,
    )
    .action(async (options: { workspace?: string; agreementVersion?: number }, command: Command) => {
      const output = helpers.outputFor(command);
      const bar = output.json
        ? undefined
        : new SingleBar(
            {
              format: 'replay |{bar}| {percentage}% | {value}/{total} seq | {steps} facts | {rate} facts/s',
              hideCursor: true,
            },
            Presets.shades_classic,
          );
      const started = Date.now();
      const result = await helpers.withRuntime(async (deps) => {
        const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
        try {
          return await replayEngine(deps, {
            workspaceId: workspace.id,
            ...(options.agreementVersion === undefined ? {} : { agreementVersion: options.agreementVersion }),
            onProgress: (progress) => {
              const seconds = Math.max((Date.now() - started) / 1000, 0.001);
              const payload = { steps: progress.steps, rate: Math.round(progress.steps / seconds) };
              if (bar && !bar.isActive) bar.start(progress.horizon, progress.through, payload);
              bar?.update(progress.through, payload);
            },
          });
        } finally {
          bar?.stop();
        }
      });
      const seconds = (Date.now() - started) / 1000;
      output.result(
        { ...result, seconds },
        [
          `Replayed ${result.steps.toLocaleString('en-US')} facts of ${result.contacts.toLocaleString('en-US')} contacts under agreement version ${result.agreementVersion} in ${seconds.toFixed(1)} s:`,
          `  ${result.transitions} stage transitions, ${result.assignments} assignments, ${result.clocks} SLA clocks, ${result.alerts} alerts.`,
          'No notification was sent again.',
        ].join('\n'),
      );
    });

  program
    .command('catch-up')
    .description('process the stored facts the engine has not reached yet (serve does this continuously)')
    .addOption(new Option('--workspace <slug>', 'the workspace (default: the only one)'))
    .action(async (options: { workspace?: string }, command: Command) => {
      const output = helpers.outputFor(command);
      const result = await helpers.withRuntime(async (deps) => {
        const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
        return runEngineUntilCaughtUp(deps, { workspaceId: workspace.id });
      });
      output.result(result, `Processed ${result.steps} facts; ${result.notifications} notifications queued.`);
    });
}

function parseVersion(value: string): number {
  const version = Number(value);
  if (!Number.isInteger(version) || version < 1) {
    throw new InvalidArgumentError('expected an agreement version number, like 3');
  }
  return version;
}
