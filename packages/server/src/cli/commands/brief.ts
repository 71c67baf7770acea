import { writeFile } from 'node:fs/promises';
import { renderBriefHtml, renderBriefMarkdown } from '@smarketing/core';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Deps } from '../../deps.ts';
import { getBrief } from '../../use-cases/brief/get-brief.ts';
import { sendBrief } from '../../use-cases/brief/send-brief.ts';
import { resolveWorkspace } from '../../use-cases/workspaces/resolve-workspace.ts';
import type { Output } from '../output.ts';

type BriefOptions = {
  week?: string;
  format: 'markdown' | 'html' | 'json';
  out?: string;
  send?: boolean;
  link?: string;
  workspace?: string;
};

function parseWeek(value: string): string {
  if (!/^\d{4}-W\d{2}$/.test(value)) throw new InvalidArgumentError('expected an ISO week, like 2027-W09');
  return value;
}

function parseLink(value: string): string {
  if (!/^https?:\/\/\S+$/i.test(value)) throw new InvalidArgumentError('expected an http(s) URL');
  return value;
}

/**
 * `smarketing brief`: the weekly meeting brief (wins, announcements, lead flow and waterfall, SLA
 * standing, clogs, feedback themes, open questions) as Markdown, HTML or JSON, to stdout or a
 * file; `--send` also queues it to the webhooks subscribed to weekly-brief.
 */
export function registerBriefCommand(
  program: Command,
  helpers: {
    outputFor(command: Command): Output;
    withRuntime<T>(work: (deps: Deps) => Promise<T>): Promise<T>;
  },
): void {
  program
    .command('brief')
    .description('the weekly sales-and-marketing meeting brief (see docs/REPORTS.md, "Weekly brief")')
    .option('--week <week>', 'ISO week, e.g. 2027-W09 (default: the last full week)', parseWeek)
    .addOption(
      new Option('--format <format>', 'what to write')
        .choices(['markdown', 'html', 'json'])
        .default('markdown'),
    )
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--send', 'also send it to the webhooks subscribed to weekly-brief')
    .option('--link <url>', 'with --send: where readers open the brief (e.g. the dashboard page)', parseLink)
    .addOption(new Option('--workspace <slug>', 'the workspace (default: the only one)'))
    .action(async (options: BriefOptions, command: Command) => {
      const output = helpers.outputFor(command);
      const result = await helpers.withRuntime(async (deps) => {
        const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
        const query = {
          workspaceId: workspace.id,
          ...(options.week === undefined ? {} : { week: options.week }),
        };
        if (!options.send) return { brief: await getBrief(query, deps), sent: undefined };
        const sent = await sendBrief({ ...query, link: options.link ?? null }, deps);
        return { brief: sent.brief, sent };
      });
      const format = output.json ? 'json' : options.format;
      const text =
        format === 'json'
          ? `${JSON.stringify(result.brief, null, 2)}\n`
          : format === 'html'
            ? renderBriefHtml(result.brief)
            : renderBriefMarkdown(result.brief);
      if (options.out !== undefined) {
        await writeFile(options.out, text, 'utf8');
        output.note(`brief ${result.brief.week.label} written to ${options.out}`);
      } else {
        process.stdout.write(text);
      }
      if (result.sent !== undefined) {
        output.note(
          `brief ${result.sent.week} queued to ${result.sent.deliveries} webhook(s) (notification ${result.sent.notificationId})`,
        );
      }
    });
}
