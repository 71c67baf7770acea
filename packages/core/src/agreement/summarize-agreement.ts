import { type Agreement, type QuadrantAction, type QuadrantId, quadrantIds } from './agreement-schema.ts';
import { type ConditionNames, describeCondition } from './condition.ts';

const quadrantMeaning: Record<QuadrantId, string> = {
  hot: 'good fit, interested',
  nurture: 'good fit, not yet interested',
  fan: 'interested, poor fit',
  drop: 'poor fit, not interested',
};

const actionWords: Record<QuadrantAction, string> = {
  'hand-to-sales': 'hand to sales',
  nurture: 'marketing nurtures',
  'low-touch-sales': 'low-touch sales follow-up',
  suppress: 'suppress (drop from the stream)',
};

/**
 * The agreement in plain words, one fact per line, for the people who sign it: stages with
 * owners and entry rules, scoring, quadrant actions and deadlines, routing, both halves of the
 * SLA, feedback reasons, personas and goals.
 */
export function summarizeAgreement(agreement: Agreement): string {
  const names = conditionNames(agreement);
  return [
    `${agreement.name} (time zone ${agreement.timezone}, currency ${agreement.currency})`,
    '',
    ...summarizeStages(agreement, names),
    '',
    ...summarizeFit(agreement, names),
    '',
    ...summarizeInterest(agreement),
    '',
    ...summarizeQuadrants(agreement),
    '',
    ...summarizeRouting(agreement, names),
    '',
    ...summarizeSla(agreement),
    '',
    ...summarizeFeedback(agreement),
    '',
    ...summarizePersonas(agreement, names),
    '',
    ...summarizeGoals(agreement),
  ].join('\n');
}

function conditionNames(agreement: Agreement): ConditionNames {
  const labelOf = (list: readonly { id: string; label: string }[]) => (id: string) =>
    list.find((item) => item.id === id)?.label;
  return {
    persona: labelOf(agreement.personas),
    activity: labelOf(agreement.interest.activities),
    quadrant: (id) =>
      (quadrantIds as readonly string[]).includes(id)
        ? agreement.quadrants[id as QuadrantId].label
        : undefined,
  };
}

function summarizeStages(agreement: Agreement, names: ConditionNames): string[] {
  const labels = new Map([...agreement.stages, ...agreement.detours].map((step) => [step.id, step.label]));
  const labelOf = (id: string) => labels.get(id) ?? id;
  const lines = [`Stages (${agreement.stages.length}, in order):`];
  agreement.stages.forEach((stage, index) => {
    const entry =
      stage.entry === undefined
        ? index === 0
          ? 'where contacts start'
          : 'entered only when a person moves a contact'
        : `entered when ${describeCondition(stage.entry, names)}`;
    const owner = agreement.teams.find((team) => team.id === stage.owner)?.label ?? stage.owner;
    lines.push(`  ${index + 1}. ${stage.label} [${stage.id}], owned by ${owner}; ${entry}`);
    if (stage.moves.length > 0) lines.push(`     moves to ${stage.moves.map(labelOf).join(', ')}`);
  });
  if (agreement.detours.length > 0) {
    lines.push('Detours:');
    for (const detour of agreement.detours) {
      const returns = detour.returnsTo === null ? 'ends there' : `returns to ${labelOf(detour.returnsTo)}`;
      const reason = detour.reasonRequired
        ? `; reason required${detour.reasons === undefined ? '' : ` (${detour.reasons} reasons)`}`
        : '';
      lines.push(
        `  - ${detour.label} [${detour.id}] from ${detour.from.map(labelOf).join(', ')}; ${returns}${reason}`,
      );
    }
  }
  return lines;
}

function summarizeFit(agreement: Agreement, names: ConditionNames): string[] {
  const { rules, grades } = agreement.fit;
  const positive = rules.filter((rule) => rule.points > 0).reduce((sum, rule) => sum + rule.points, 0);
  const lines = [`Fit: ${rules.length} rules, at most ${positive} points when every positive rule matches`];
  const strongest = [...rules].sort(
    (a, b) => Math.abs(b.points) - Math.abs(a.points) || a.id.localeCompare(b.id),
  );
  for (const rule of strongest) {
    lines.push(`  ${signed(rule.points)} ${rule.label} (${describeCondition(rule.when, names)})`);
  }
  if (grades !== undefined && grades.length > 0) {
    const bands = grades.map((band) => {
      if (band.min === undefined) return `${band.grade} ≤ ${band.max ?? '∞'}`;
      return band.max === undefined ? `${band.grade} ≥ ${band.min}` : `${band.grade} ${band.min}–${band.max}`;
    });
    lines.push(`  grades: ${bands.join(', ')}`);
  }
  return lines;
}

function summarizeInterest(agreement: Agreement): string[] {
  const { activities, frequency, groupCaps, halfLifeDays, totalCap } = agreement.interest;
  const cap = totalCap === undefined ? 'no total cap' : `capped at ${totalCap}`;
  const lines = [
    `Interest: ${activities.length} activities, points halve every ${halfLifeDays} days, ${cap}`,
  ];
  const strongest = [...activities].sort((a, b) => b.points - a.points || a.id.localeCompare(b.id));
  for (const activity of strongest) {
    const limits = [
      activity.cap === undefined ? undefined : `cap ${activity.cap}`,
      activity.group === undefined ? undefined : `group ${activity.group}`,
    ].filter((part) => part !== undefined);
    lines.push(
      `  ${signed(activity.points)} ${activity.label}${limits.length > 0 ? ` (${limits.join(', ')})` : ''}`,
    );
  }
  const caps = Object.entries(groupCaps);
  if (caps.length > 0) {
    lines.push(`  group caps: ${caps.map(([group, value]) => `${group} ${value}`).join(', ')}`);
  }
  for (const rule of frequency) {
    const activity = activities.find((candidate) => candidate.id === rule.activity)?.label ?? rule.activity;
    const text = rule.label ?? `${activity} ${rule.atLeast}+ times in ${rule.withinDays} days`;
    lines.push(`  ${signed(rule.points)} ${text} (frequency)`);
  }
  return lines;
}

function summarizeQuadrants(agreement: Agreement): string[] {
  const { thresholds } = agreement.quadrants;
  const lines = [
    `Quadrants: good fit at fit ≥ ${thresholds.fit}, interested at interest ≥ ${thresholds.interest}`,
  ];
  for (const id of quadrantIds) {
    const quadrant = agreement.quadrants[id];
    const deadline =
      quadrant.firstTouchWithin === undefined
        ? ''
        : `, first touch within ${quadrant.firstTouchWithin}${quadrant.businessHours ? ' (business hours only)' : ''}`;
    lines.push(`  ${quadrant.label} (${quadrantMeaning[id]}): ${actionWords[quadrant.action]}${deadline}`);
  }
  return lines;
}

function summarizeRouting(agreement: Agreement, names: ConditionNames): string[] {
  const { routing } = agreement;
  const teamLabel = (id: string) => agreement.teams.find((team) => team.id === id)?.label ?? id;
  const precedence = [
    routing.accountOwnerWins ? "the account's owner" : undefined,
    routing.keepExistingOwner ? 'the existing owner' : undefined,
    'the first matching rule',
    "the persona's team",
    `${teamLabel(routing.defaultTeam)} (default)`,
  ].filter((part) => part !== undefined);
  const lines = [`Routing (${routing.strategy}): ${precedence.join(', then ')}`];
  for (const rule of routing.rules) {
    lines.push(`  when ${describeCondition(rule.when, names)} → ${teamLabel(rule.team)}`);
  }
  for (const team of agreement.teams) {
    const active = team.reps.filter((rep) => !rep.away);
    if (team.kind === 'sales')
      lines.push(`  ${team.label}: ${active.length} active of ${team.reps.length} reps`);
  }
  return lines;
}

function summarizeSla(agreement: Agreement): string[] {
  const { period, marketing, sales } = agreement.sla;
  const stage =
    agreement.stages.find((candidate) => candidate.id === marketing.stage)?.label ?? marketing.stage;
  const amount =
    marketing.measure === 'points'
      ? `${formatNumber(marketing.target)} points`
      : `${formatMoney(marketing.target, agreement.currency)} of expected value`;
  const lines = [`SLA per ${period}:`, `  marketing delivers ${amount} of leads reaching ${stage}`];
  const teamTargets = Object.entries(marketing.teams);
  if (teamTargets.length > 0) {
    lines.push(
      `    per team: ${teamTargets.map(([team, target]) => `${team} ${formatNumber(target)}`).join(', ')}`,
    );
  }
  if (marketing.gradePoints !== undefined) {
    const points = Object.entries(marketing.gradePoints).map(([grade, value]) => `${grade} ${value}`);
    lines.push(`    points by fit grade: ${points.join(', ')}`);
  }
  if (marketing.invalidReasons.length > 0) {
    lines.push(`    not counted when rejected as: ${marketing.invalidReasons.join(', ')}`);
  }
  lines.push(
    `  sales works ${Math.round(sales.workedWithinDeadline * 100)}% of them with a qualifying touch (${sales.qualifyingTouches.join(', ')}) before the quadrant's first-touch deadline`,
  );
  for (const step of sales.escalation) {
    lines.push(
      `    ${step.after} after a missed deadline: ${step.action === 'reassign' ? 'reassign the lead' : 'notify the manager'}`,
    );
  }
  return lines;
}

function summarizeFeedback(agreement: Agreement): string[] {
  const list = (title: string, reasons: Agreement['feedback']['rejectReasons']) => {
    if (reasons.length === 0) return [];
    const items = reasons.map((reason) => {
      const notes = [
        reason.invalid ? 'invalid' : undefined,
        reason.recycleAfterDays === undefined ? undefined : `back after ${reason.recycleAfterDays} days`,
      ].filter((note) => note !== undefined);
      return notes.length > 0 ? `${reason.label} (${notes.join(', ')})` : reason.label;
    });
    return [`  ${title}: ${items.join('; ')}`];
  };
  const { rejectReasons, recycleReasons, lostReasons } = agreement.feedback;
  return [
    'Feedback reasons:',
    ...list('reject', rejectReasons),
    ...list('recycle', recycleReasons),
    ...list('lost', lostReasons),
  ];
}

function summarizePersonas(agreement: Agreement, names: ConditionNames): string[] {
  if (agreement.personas.length === 0) return ['Personas: none'];
  const lines = [`Personas (${agreement.personas.length}):`];
  for (const persona of agreement.personas) {
    const team =
      persona.team === undefined
        ? ''
        : ` → ${agreement.teams.find((candidate) => candidate.id === persona.team)?.label ?? persona.team}`;
    lines.push(`  ${persona.label}${team}: ${describeCondition(persona.match, names)}`);
  }
  return lines;
}

function summarizeGoals(agreement: Agreement): string[] {
  if (agreement.goals.length === 0) return ['Goals: none'];
  const lines = ['Goals:'];
  for (const goal of agreement.goals) {
    const deal =
      goal.averageDealSize === undefined
        ? ''
        : ` (average deal ${formatMoney(goal.averageDealSize, agreement.currency)}, about ${formatNumber(Math.ceil(goal.amount / goal.averageDealSize))} deals)`;
    lines.push(`  ${goal.period}: ${formatMoney(goal.amount, agreement.currency)}${deal}`);
  }
  return lines;
}

function signed(points: number): string {
  return points > 0 ? `+${points}` : String(points);
}

function formatNumber(value: number): string {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(value);
}

function formatMoney(value: number, currency: string): string {
  return `${currency} ${formatNumber(value)}`;
}
