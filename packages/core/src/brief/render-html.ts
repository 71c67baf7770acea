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
import { barChart, escapeXml as escapeHtml, lineChart } from './svg-chart.ts';

const style = `
:root { color-scheme: light; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; max-width: 860px; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
.meta { color: #666; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; }
th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #eee; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
th:first-child, td:first-child { white-space: nowrap; }
.badge { display: inline-block; padding: 0 0.4rem; border-radius: 0.6rem; background: #e8f1f8; color: #2f6f9f; font-size: 0.8rem; }
.bad { color: #a33; } .good { color: #2e7d32; }
.figures { display: flex; gap: 1rem; flex-wrap: wrap; }
.figure { border: 1px solid #e3e3e3; border-radius: 6px; padding: 0.6rem 0.8rem; flex: 1 1 240px; }
.figure strong { font-size: 1.3rem; display: block; }
blockquote { margin: 0.2rem 0; color: #555; font-style: italic; }
svg { max-width: 100%; height: auto; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { break-after: avoid; }
  section, table, svg, .figure { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  a[href]::after { content: " (" attr(href) ")"; font-size: 9pt; color: #555; }
}
@page { margin: 1.5cm; }
`;

function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly number[] = [],
): string {
  const th = header
    .map((text, index) => `<th${numeric.includes(index) ? ' class="num"' : ''}>${text}</th>`)
    .join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${row.map((text, index) => `<td${numeric.includes(index) ? ' class="num"' : ''}>${text}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

const paragraph = (text: string) => `<p>${text}</p>`;

/**
 * The brief as one self-contained HTML page: no scripts, no external files; charts are inline
 * SVG; print CSS keeps sections whole and writes links out. Every text from people is escaped.
 */
export function renderBriefHtml(brief: Brief): string {
  const tz = brief.week.timezone;
  const lastDay = formatDay(new Date(Date.parse(brief.week.to) - 1).toISOString(), tz);
  const parts: string[] = [];

  parts.push('<section><h2>Wins</h2>');
  if (brief.wins.count === 0) parts.push(paragraph('No deals won this week.'));
  else {
    parts.push(
      paragraph(
        `${brief.wins.count} deals won, <strong>${escapeHtml(formatMoney(brief.wins.revenue, brief.currency))}</strong>.`,
      ),
    );
    parts.push(
      table(
        ['Deal', 'Account', 'Amount', 'Won on'],
        brief.wins.deals.map((deal) => [
          `${escapeHtml(deal.name)}${deal.big ? ' <span class="badge">big account</span>' : ''}`,
          escapeHtml(deal.account ?? deal.contact ?? '–'),
          escapeHtml(formatMoney(deal.amount, deal.currency ?? brief.currency)),
          escapeHtml(deal.closeDate),
        ]),
        [2],
      ),
    );
  }
  parts.push('</section><section><h2>Announcements</h2>');
  if (brief.announcements.length === 0) parts.push(paragraph('No announcements this week.'));
  else {
    parts.push(
      `<ul>${brief.announcements
        .map((announcement) => {
          const link = safeLink(announcement.link);
          const title = escapeHtml(announcement.title);
          return `<li><strong>${link === null ? title : `<a href="${escapeHtml(link)}" rel="noopener noreferrer">${title}</a>`}</strong> <span class="badge">${escapeHtml(announcement.kind)}</span> ${escapeHtml(formatDay(announcement.effectiveAt, tz))}${announcement.body.trim() === '' ? '' : `<br>${escapeHtml(announcement.body)}`}</li>`;
        })
        .join('')}</ul>`,
    );
  }

  const rows = brief.leadFlow.rows;
  parts.push('</section><section><h2>Lead flow</h2>');
  parts.push(
    barChart({
      title: 'Leads and MQLs per week',
      labels: rows.map((row) => row.label),
      series: [
        { name: 'Leads', values: rows.map((row) => row.leads) },
        { name: 'MQLs', values: rows.map((row) => row.mqls) },
      ],
    }),
  );
  if (brief.leadFlow.week !== null) {
    parts.push(
      paragraph(
        `This week: ${brief.leadFlow.week.leads} leads (${brief.leadFlow.week.newLeads} new) and <strong>${brief.leadFlow.week.mqls} MQLs</strong>, ${escapeHtml(formatChange(brief.leadFlow.week.mqlChange))} from the week before.`,
      ),
    );
  }
  parts.push('</section><section><h2>Lead waterfall</h2>');
  if (brief.waterfall.cohorts.length === 0) parts.push(paragraph('No new leads in these weeks.'));
  else {
    const stages = brief.waterfall.stages;
    parts.push(
      lineChart({
        title: 'Share of each weekly cohort that has reached each stage',
        labels: brief.waterfall.cohorts.map((cohort) => cohort.label),
        series: stages.slice(1, 4).map((stage) => ({
          name: `% reached ${stage}`,
          values: brief.waterfall.cohorts.map((cohort) =>
            cohort.size === 0 ? 0 : Math.round(((cohort.reached[stage] ?? 0) / cohort.size) * 1000) / 10,
          ),
        })),
      }),
    );
    parts.push(
      table(
        ['Cohort', 'New leads', ...stages.map((stage) => `reached ${escapeHtml(stage)}`)],
        brief.waterfall.cohorts.map((cohort) => [
          escapeHtml(cohort.label),
          String(cohort.size),
          ...stages.map((stage) => String(cohort.reached[stage] ?? 0)),
        ]),
        [1, ...stages.map((_, index) => index + 2)],
      ),
    );
  }

  const { marketing, sales } = brief.sla;
  const verdict = (ok: boolean | null, yes: string, no: string, none: string) =>
    ok === null ? none : ok ? `<span class="good">${yes}</span>` : `<span class="bad">${no}</span>`;
  parts.push(
    `</section><section><h2>SLA standing (${escapeHtml(brief.sla.period)})</h2><div class="figures">`,
  );
  parts.push(
    `<div class="figure">Marketing delivered<strong>${escapeHtml(formatNumber(marketing.value))} / ${escapeHtml(formatNumber(marketing.target))}</strong>${escapeHtml(formatPercent(marketing.attainment))} attained; pace line ${escapeHtml(formatNumber(marketing.expected))}, projected ${escapeHtml(formatNumber(marketing.projected))} — ${verdict(marketing.onPace, 'on pace', 'behind pace', 'no target')}</div>`,
    `<div class="figure">Sales worked in time<strong>${escapeHtml(formatPercent(sales.compliance))}</strong>of ${sales.due} due leads (target ${escapeHtml(formatPercent(sales.target))}) — ${verdict(sales.met, 'met', 'missed', 'nothing due yet')}; ${sales.breaches} breaches, ${sales.openBreaches} untouched</div>`,
  );
  parts.push('</div>');
  const teams = sales.teams.filter((team) => team.team !== null);
  if (teams.length > 0) {
    parts.push(
      table(
        ['Team', 'Due', 'Worked in time', 'Untouched breaches'],
        teams.map((team) => [
          escapeHtml(team.team ?? ''),
          String(team.due),
          escapeHtml(formatPercent(team.compliance)),
          String(team.openBreaches),
        ]),
        [1, 2, 3],
      ),
    );
  }

  parts.push('</section><section><h2>Clogs</h2>');
  if (brief.clogs.length === 0)
    parts.push(paragraph('No stage is significantly worse than the three weeks before.'));
  else {
    parts.push(
      table(
        ['Stage', 'Segment', 'This week', 'Before', 'q', 'Impact', 'Leads concerned'],
        brief.clogs.map((clog) => {
          const conversion = clog.metric === 'conversion';
          return [
            `${escapeHtml(clog.label)}<br><small>${conversion ? 'conversion' : 'time in stage'}</small>`,
            escapeHtml(segmentText(clog.segment)),
            escapeHtml(
              conversion ? formatPercent(clog.current.rate) : `${formatNumber(clog.current.medianHours)} h`,
            ),
            escapeHtml(
              conversion ? formatPercent(clog.baseline.rate) : `${formatNumber(clog.baseline.medianHours)} h`,
            ),
            escapeHtml(clog.q.toPrecision(2)),
            escapeHtml(formatMoney(clog.impact.revenue, brief.currency)),
            `${clog.leadCount}${clog.leads.length > 0 ? `: ${clog.leads.map((lead) => `${escapeHtml(lead.name ?? lead.email ?? lead.personId)} (${escapeHtml(formatHours(lead.hoursInStage))})`).join(', ')}` : ''}`,
          ];
        }),
        [2, 3, 4, 5],
      ),
    );
  }

  parts.push('</section><section><h2>Feedback themes</h2>');
  if (brief.feedbackThemes.length === 0) parts.push(paragraph('No rejections or recycles this week.'));
  else {
    const top = brief.feedbackThemes.slice(0, 8);
    parts.push(
      barChart({
        title: 'Rejections and recycles by reason',
        labels: top.map((theme) => theme.label.slice(0, 18)),
        series: [{ name: 'This week', values: top.map((theme) => theme.count) }],
      }),
    );
    parts.push(
      table(
        ['Verdict', 'Reason', 'Count', 'Share', 'Weeks before', 'Comments'],
        brief.feedbackThemes.map((theme) => [
          escapeHtml(theme.verdict),
          escapeHtml(theme.label),
          String(theme.count),
          escapeHtml(formatPercent(theme.share)),
          escapeHtml(formatPercent(theme.previousShare)),
          theme.examples.map((example) => `<blockquote>${escapeHtml(example)}</blockquote>`).join(''),
        ]),
        [2, 3, 4],
      ),
    );
  }

  parts.push('</section><section><h2>Open questions</h2>');
  if (brief.questions.length === 0) parts.push(paragraph('The data raises no question this week.'));
  else {
    parts.push(
      `<ol>${brief.questions.map((question) => `<li>${escapeHtml(question.question)}<br><small class="meta">${escapeHtml(question.evidence)}</small></li>`).join('')}</ol>`,
    );
  }
  parts.push('</section>');

  const title = `Weekly brief ${escapeHtml(brief.week.label)}`;
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${title}</title><style>${style}</style></head><body><header><h1>${title}</h1>` +
    `<p class="meta">${escapeHtml(formatDay(brief.week.from, tz))} to ${escapeHtml(lastDay)} (${escapeHtml(tz)}) · agreement version ${brief.agreementVersion} · as of ${escapeHtml(brief.asOf)}</p></header>` +
    `<main>${parts.join('')}</main></body></html>\n`
  );
}
