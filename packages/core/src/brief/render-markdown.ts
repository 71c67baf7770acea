import type { Brief } from './brief.ts';
import {
  formatChange,
  formatDay,
  formatHours,
  formatMoney,
  formatNumber,
  formatPercent,
  safeLink,
  segmentText,
} from './format.ts';

/** Text from people (titles, comments, names) in a table cell or a line: no pipes, tags or line breaks. */
function cell(text: string): string {
  return text
    .replaceAll('\\', '\\\\')
    .replaceAll('|', '\\|')
    .replaceAll('<', '&lt;')
    .replace(/\s+/g, ' ')
    .trim();
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

/** The brief as Markdown: headings, tables and lists that paste into a wiki or a chat. */
export function renderBriefMarkdown(brief: Brief): string {
  const tz = brief.week.timezone;
  const lines: string[] = [
    `# Weekly brief ${brief.week.label}`,
    '',
    `${formatDay(brief.week.from, tz)} to ${formatDay(new Date(Date.parse(brief.week.to) - 1).toISOString(), tz)} (${tz}) · agreement version ${brief.agreementVersion} · as of ${brief.asOf}`,
    '',
    '## Wins',
    '',
  ];
  if (brief.wins.count === 0) lines.push('No deals won this week.');
  else {
    lines.push(`${brief.wins.count} deals won, ${formatMoney(brief.wins.revenue, brief.currency)}.`, '');
    lines.push(
      ...table(
        ['Deal', 'Account', 'Amount', 'Won on', ''],
        brief.wins.deals.map((deal) => [
          cell(deal.name),
          cell(deal.account ?? deal.contact ?? '–'),
          formatMoney(deal.amount, deal.currency ?? brief.currency),
          deal.closeDate,
          deal.big ? '**big account**' : '',
        ]),
      ),
    );
  }
  lines.push('', '## Announcements', '');
  if (brief.announcements.length === 0) lines.push('No announcements this week.');
  for (const announcement of brief.announcements) {
    const link = safeLink(announcement.link);
    lines.push(
      `- **${cell(announcement.title)}** (${announcement.kind}, ${formatDay(announcement.effectiveAt, tz)})${link === null ? '' : ` — <${link}>`}`,
    );
    if (announcement.body.trim() !== '') lines.push(`  ${cell(announcement.body)}`);
  }
  lines.push('', '## Lead flow', '');
  lines.push(
    ...table(
      ['Week', 'Leads', 'New leads', 'MQLs'],
      brief.leadFlow.rows.map((row) => [
        row.label,
        String(row.leads),
        String(row.newLeads),
        String(row.mqls),
      ]),
    ),
  );
  if (brief.leadFlow.week !== null) {
    lines.push(
      '',
      `This week: ${brief.leadFlow.week.mqls} MQLs (${formatChange(brief.leadFlow.week.mqlChange)} from the week before).`,
    );
  }
  lines.push('', '## Lead waterfall', '');
  if (brief.waterfall.cohorts.length === 0) lines.push('No new leads in these weeks.');
  else {
    lines.push(
      ...table(
        ['Cohort', 'New leads', ...brief.waterfall.stages.map((stage) => `reached ${stage}`)],
        brief.waterfall.cohorts.map((cohort) => [
          cohort.label,
          String(cohort.size),
          ...brief.waterfall.stages.map((stage) => String(cohort.reached[stage] ?? 0)),
        ]),
      ),
    );
  }
  const { marketing, sales } = brief.sla;
  lines.push('', `## SLA standing (${brief.sla.period})`, '');
  lines.push(
    `- **Marketing**: delivered ${formatNumber(marketing.value)} of ${formatNumber(marketing.target)} (${formatPercent(marketing.attainment)}); pace line ${formatNumber(marketing.expected)}, projected ${formatNumber(marketing.projected)} — ${marketing.onPace === null ? 'no target' : marketing.onPace ? 'on pace' : 'behind pace'}.`,
    `- **Sales**: ${formatPercent(sales.compliance)} of ${sales.due} due leads worked in time (target ${formatPercent(sales.target)}) — ${sales.met === null ? 'nothing due yet' : sales.met ? 'met' : 'missed'}; ${sales.breaches} breaches, ${sales.openBreaches} still untouched.`,
  );
  for (const team of brief.sla.sales.teams) {
    if (team.team !== null)
      lines.push(
        `  - ${cell(team.team)}: ${formatPercent(team.compliance)} of ${team.due} in time, ${team.openBreaches} untouched breaches`,
      );
  }
  lines.push('', '## Clogs', '');
  if (brief.clogs.length === 0) lines.push('No stage is significantly worse than the three weeks before.');
  for (const clog of brief.clogs) {
    const change =
      clog.metric === 'conversion'
        ? `conversion ${formatPercent(clog.current.rate)} against ${formatPercent(clog.baseline.rate)}`
        : `median time in stage ${formatNumber(clog.current.medianHours)} h against ${formatNumber(clog.baseline.medianHours)} h`;
    lines.push(
      `- **${cell(clog.label)}**, ${cell(segmentText(clog.segment))}: ${change} (q = ${clog.q.toPrecision(2)}, ${clog.test}); impact ${formatMoney(clog.impact.revenue, brief.currency)}; ${clog.leadCount} leads${clog.leads.length > 0 ? `, e.g. ${clog.leads.map((lead) => `${cell(lead.name ?? lead.email ?? lead.personId)} (${formatHours(lead.hoursInStage)})`).join(', ')}` : ''}.`,
    );
  }
  lines.push('', '## Feedback themes', '');
  if (brief.feedbackThemes.length === 0) lines.push('No rejections or recycles this week.');
  else {
    lines.push(
      ...table(
        ['Verdict', 'Reason', 'Count', 'Share', 'Weeks before', 'Comments'],
        brief.feedbackThemes.map((theme) => [
          theme.verdict,
          cell(theme.label),
          String(theme.count),
          formatPercent(theme.share),
          formatPercent(theme.previousShare),
          theme.examples.map((example) => `“${cell(example)}”`).join(' '),
        ]),
      ),
    );
  }
  lines.push('', '## Open questions', '');
  if (brief.questions.length === 0) lines.push('The data raises no question this week.');
  brief.questions.forEach((question, index) => {
    lines.push(`${index + 1}. ${cell(question.question)} _${cell(question.evidence)}_`);
  });
  return `${lines.join('\n')}\n`;
}
