import { type Agreement, quadrantIds, salesActions } from './agreement-schema.ts';
import { type Condition, type ConditionKind, getConditionKind, listConditions } from './condition.ts';
import { parseDuration } from './duration.ts';
import {
  type AgreementIssue,
  type AgreementIssueCode,
  type AgreementPath,
  createIssue,
  describeChoices,
  formatPath,
} from './issues.ts';

export type AgreementCheck = { errors: AgreementIssue[]; warnings: AgreementIssue[] };

type Report = {
  error: (code: AgreementIssueCode, path: AgreementPath, message: string) => void;
  warn: (code: AgreementIssueCode, path: AgreementPath, message: string) => void;
};

type ConditionSite = {
  condition: Condition;
  path: AgreementPath;
  usedBy: 'entry' | 'fit' | 'routing' | 'persona';
};

/**
 * The checks that need the whole agreement: ids are unique, every name refers to something
 * defined, every stage can be reached, and the numbers make sense together. Runs on a document
 * that already has the agreement's shape.
 */
export function checkAgreement(agreement: Agreement): AgreementCheck {
  const errors: AgreementIssue[] = [];
  const warnings: AgreementIssue[] = [];
  const report: Report = {
    error: (code, path, message) => errors.push(createIssue(code, path, message)),
    warn: (code, path, message) => warnings.push(createIssue(code, path, message)),
  };
  checkDuplicates(agreement, report);
  checkTeams(agreement, report);
  checkStages(agreement, report);
  checkConditions(agreement, report);
  checkFitGrades(agreement, report);
  checkInterest(agreement, report);
  checkQuadrants(agreement, report);
  checkRouting(agreement, report);
  checkSla(agreement, report);
  checkPersonas(agreement, report);
  return { errors, warnings };
}

type Keyed = { key: string; path: AgreementPath };

function checkDuplicates(agreement: Agreement, report: Report): void {
  const byId = <T extends { id: string }>(list: readonly T[], at: AgreementPath): Keyed[] =>
    list.map((item, index) => ({ key: item.id, path: [...at, index, 'id'] }));
  const groups: { what: string; items: Keyed[] }[] = [
    {
      what: 'stage or detour id',
      items: [...byId(agreement.stages, ['stages']), ...byId(agreement.detours, ['detours'])],
    },
    { what: 'team id', items: byId(agreement.teams, ['teams']) },
    {
      what: 'rep id',
      items: agreement.teams.flatMap((team, teamIndex) => byId(team.reps, ['teams', teamIndex, 'reps'])),
    },
    { what: 'fit rule id', items: byId(agreement.fit.rules, ['fit', 'rules']) },
    {
      what: 'fit grade',
      items: (agreement.fit.grades ?? []).map((band, index) => ({
        key: band.grade,
        path: ['fit', 'grades', index, 'grade'],
      })),
    },
    { what: 'activity id', items: byId(agreement.interest.activities, ['interest', 'activities']) },
    { what: 'frequency rule id', items: byId(agreement.interest.frequency, ['interest', 'frequency']) },
    { what: 'routing rule id', items: byId(agreement.routing.rules, ['routing', 'rules']) },
    {
      what: 'reject reason id',
      items: byId(agreement.feedback.rejectReasons, ['feedback', 'rejectReasons']),
    },
    {
      what: 'recycle reason id',
      items: byId(agreement.feedback.recycleReasons, ['feedback', 'recycleReasons']),
    },
    { what: 'lost reason id', items: byId(agreement.feedback.lostReasons, ['feedback', 'lostReasons']) },
    { what: 'persona id', items: byId(agreement.personas, ['personas']) },
    {
      what: 'goal period',
      items: agreement.goals.map((goal, index) => ({ key: goal.period, path: ['goals', index, 'period'] })),
    },
  ];
  for (const { what, items } of groups) {
    const first = new Map<string, AgreementPath>();
    for (const item of items) {
      const earlier = first.get(item.key);
      if (earlier === undefined) {
        first.set(item.key, item.path);
      } else {
        report.error(
          'DUPLICATE_ID',
          item.path,
          `duplicate ${what} "${item.key}"; it is already used at ${formatPath(earlier)}, and each must be unique`,
        );
      }
    }
  }
}

function checkTeams(agreement: Agreement, report: Report): void {
  agreement.teams.forEach((team, index) => {
    if (team.kind === 'sales' && team.reps.length === 0) {
      report.warn(
        'TEAM_WITHOUT_REPS',
        ['teams', index, 'reps'],
        `sales team "${team.id}" has no reps, so leads routed to it wait unassigned; add reps or route elsewhere`,
      );
    }
  });
}

function checkStages(agreement: Agreement, report: Report): void {
  const stageIds = agreement.stages.map((stage) => stage.id);
  const stepIds = [...stageIds, ...agreement.detours.map((detour) => detour.id)];
  const owners = ['marketing', 'sales', ...agreement.teams.map((team) => team.id)];

  agreement.stages.forEach((stage, index) => {
    if (!owners.includes(stage.owner)) {
      report.error(
        'UNKNOWN_REFERENCE',
        ['stages', index, 'owner'],
        `unknown owner "${stage.owner}"; ${describeChoices(stage.owner, owners)}`,
      );
    }
    stage.moves.forEach((move, moveIndex) => {
      if (!stepIds.includes(move)) {
        report.error(
          'UNKNOWN_REFERENCE',
          ['stages', index, 'moves', moveIndex],
          `unknown stage "${move}"; ${describeChoices(move, stepIds)}`,
        );
      }
    });
    if (index > 0 && stage.entry === undefined) {
      report.warn(
        'STAGE_WITHOUT_ENTRY',
        ['stages', index],
        `stage "${stage.id}" has no entry rule, so contacts reach it only when a person moves them; add an entry condition`,
      );
    }
  });

  agreement.detours.forEach((detour, index) => {
    detour.from.forEach((from, fromIndex) => {
      if (!stageIds.includes(from)) {
        report.error(
          'UNKNOWN_REFERENCE',
          ['detours', index, 'from', fromIndex],
          `unknown stage "${from}"; ${describeChoices(from, stageIds)}`,
        );
      }
    });
    if (detour.returnsTo !== null && !stageIds.includes(detour.returnsTo)) {
      report.error(
        'UNKNOWN_REFERENCE',
        ['detours', index, 'returnsTo'],
        `unknown stage "${detour.returnsTo}"; ${describeChoices(detour.returnsTo, stageIds)}, or null for a detour that ends there`,
      );
    }
    if (detour.reasons !== undefined && detour.reasonRequired) {
      const list = `${detour.reasons}Reasons` as const;
      if (agreement.feedback[list].length === 0) {
        report.error(
          'EMPTY_REASON_LIST',
          ['detours', index, 'reasons'],
          `detour "${detour.id}" requires a reason from feedback.${list}, but that list is empty; add reasons to it`,
        );
      }
    }
  });

  // With a duplicated id the moves are ambiguous; the duplicate is reported already.
  if (new Set(stepIds).size === stepIds.length) checkReachability(agreement, report);
}

function checkReachability(agreement: Agreement, report: Report): void {
  const [first] = agreement.stages;
  if (first === undefined) return;
  const next = new Map<string, string[]>();
  for (const stage of agreement.stages) next.set(stage.id, [...stage.moves]);
  for (const detour of agreement.detours) {
    for (const from of detour.from) next.get(from)?.push(detour.id);
    next.set(detour.id, detour.returnsTo === null ? [] : [detour.returnsTo]);
  }
  const reached = new Set([first.id]);
  const queue = [first.id];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const target of next.get(id) ?? []) {
      if (!reached.has(target)) {
        reached.add(target);
        queue.push(target);
      }
    }
  }
  agreement.stages.forEach((stage, index) => {
    if (!reached.has(stage.id)) {
      report.error(
        'UNREACHABLE_STAGE',
        ['stages', index],
        `stage "${stage.id}" cannot be reached from the first stage "${first.id}"; list it in the moves of an earlier stage or in a detour's returnsTo`,
      );
    }
  });
}

const traitOnlyKinds: readonly ConditionKind[] = ['all', 'any', 'not', 'trait', 'persona'];

function listConditionSites(agreement: Agreement): ConditionSite[] {
  const sites: ConditionSite[] = [];
  const add = (condition: Condition | undefined, path: AgreementPath, usedBy: ConditionSite['usedBy']) => {
    if (condition === undefined) return;
    for (const visit of listConditions(condition)) {
      sites.push({ condition: visit.condition, path: [...path, ...visit.path], usedBy });
    }
  };
  agreement.stages.forEach((stage, index) => {
    add(stage.entry, ['stages', index, 'entry'], 'entry');
  });
  agreement.fit.rules.forEach((rule, index) => {
    add(rule.when, ['fit', 'rules', index, 'when'], 'fit');
  });
  agreement.routing.rules.forEach((rule, index) => {
    add(rule.when, ['routing', 'rules', index, 'when'], 'routing');
  });
  agreement.personas.forEach((persona, index) => {
    add(persona.match, ['personas', index, 'match'], 'persona');
  });
  return sites;
}

function checkConditions(agreement: Agreement, report: Report): void {
  const personaIds = agreement.personas.map((persona) => persona.id);
  const activityIds = agreement.interest.activities.map((activity) => activity.id);
  const grades = agreement.fit.grades?.map((band) => band.grade);

  for (const { condition, path, usedBy } of listConditionSites(agreement)) {
    const kind = getConditionKind(condition);
    if ((usedBy === 'fit' || usedBy === 'persona') && !traitOnlyKinds.includes(kind)) {
      const subject = usedBy === 'fit' ? 'fit rules' : 'persona matches';
      report.error(
        'CONDITION_NOT_ALLOWED',
        [...path, kind],
        `${subject} may only use ${traitOnlyKinds.join(', ')} conditions, not ${kind}: fit is about who the contact is; what they did belongs in interest`,
      );
      continue;
    }
    if ('persona' in condition && !personaIds.includes(condition.persona)) {
      report.error(
        'UNKNOWN_REFERENCE',
        [...path, 'persona'],
        `unknown persona "${condition.persona}"; ${describeChoices(condition.persona, personaIds)}`,
      );
    }
    if ('quadrant' in condition && !(quadrantIds as readonly string[]).includes(condition.quadrant)) {
      report.error(
        'UNKNOWN_REFERENCE',
        [...path, 'quadrant'],
        `unknown quadrant "${condition.quadrant}"; ${describeChoices(condition.quadrant, quadrantIds)}`,
      );
    }
    if ('activity' in condition && !activityIds.includes(condition.activity)) {
      report.error(
        'UNKNOWN_REFERENCE',
        [...path, 'activity'],
        `unknown activity "${condition.activity}"; ${describeChoices(condition.activity, activityIds)}`,
      );
    }
    if ('fitGrade' in condition) {
      condition.fitGrade.forEach((grade, index) => {
        if (grades === undefined) {
          report.error(
            'UNKNOWN_REFERENCE',
            [...path, 'fitGrade', index],
            `unknown fit grade "${grade}"; fit.grades is not defined, so there are no grades to name`,
          );
        } else if (!grades.includes(grade)) {
          report.error(
            'UNKNOWN_REFERENCE',
            [...path, 'fitGrade', index],
            `unknown fit grade "${grade}"; ${describeChoices(grade, grades)}`,
          );
        }
      });
    }
  }
}

function checkFitGrades(agreement: Agreement, report: Report): void {
  const bands = (agreement.fit.grades ?? []).map((band, index) => ({
    ...band,
    index,
    low: band.min ?? Number.NEGATIVE_INFINITY,
    high: band.max ?? Number.POSITIVE_INFINITY,
  }));
  const sorted = [...bands].sort((a, b) => a.low - b.low || a.index - b.index);
  for (let i = 1; i < sorted.length; i += 1) {
    const lower = sorted[i - 1];
    const upper = sorted[i];
    if (lower === undefined || upper === undefined) continue;
    const [earlier, later] = lower.index < upper.index ? [lower, upper] : [upper, lower];
    if (upper.low <= lower.high) {
      report.error(
        'OVERLAPPING_GRADES',
        ['fit', 'grades', later.index],
        `fit grade "${later.grade}" (${describeBand(later)}) overlaps grade "${earlier.grade}" (${describeBand(earlier)}); each fit score must fall in one band`,
      );
    } else if (upper.low > lower.high + 1) {
      report.warn(
        'GRADE_GAP',
        ['fit', 'grades', upper.index],
        `no fit grade covers scores above ${lower.high} and below ${upper.low}; widen "${lower.grade}" or "${upper.grade}"`,
      );
    }
  }
}

function describeBand(band: { min?: number; max?: number }): string {
  if (band.min === undefined) return band.max === undefined ? 'any score' : `≤ ${band.max}`;
  return band.max === undefined ? `≥ ${band.min}` : `${band.min}–${band.max}`;
}

function checkInterest(agreement: Agreement, report: Report): void {
  const { activities, frequency, groupCaps } = agreement.interest;
  const activityIds = activities.map((activity) => activity.id);
  frequency.forEach((rule, index) => {
    if (!activityIds.includes(rule.activity)) {
      report.error(
        'UNKNOWN_REFERENCE',
        ['interest', 'frequency', index, 'activity'],
        `unknown activity "${rule.activity}"; ${describeChoices(rule.activity, activityIds)}`,
      );
    }
  });
  const groups = new Set(
    activities.flatMap((activity) => (activity.group === undefined ? [] : [activity.group])),
  );
  for (const group of Object.keys(groupCaps)) {
    if (!groups.has(group)) {
      report.warn(
        'UNUSED_GROUP_CAP',
        ['interest', 'groupCaps', group],
        `no activity is in group "${group}", so its cap does nothing; set "group: ${group}" on the activities it should cap`,
      );
    }
  }
}

function checkQuadrants(agreement: Agreement, report: Report): void {
  for (const id of quadrantIds) {
    const quadrant = agreement.quadrants[id];
    const isSales = salesActions.includes(quadrant.action);
    if (isSales && quadrant.firstTouchWithin === undefined) {
      report.error(
        'MISSING_FIRST_TOUCH',
        ['quadrants', id],
        `quadrant "${id}" hands leads to sales (${quadrant.action}) but has no firstTouchWithin; add the first-touch deadline, like "24h"`,
      );
    }
    if (!isSales && quadrant.firstTouchWithin !== undefined) {
      report.warn(
        'UNUSED_FIRST_TOUCH',
        ['quadrants', id, 'firstTouchWithin'],
        `quadrant "${id}" does not go to sales (${quadrant.action}), so its firstTouchWithin is never used`,
      );
    }
  }
}

function checkRouting(agreement: Agreement, report: Report): void {
  const teamIds = agreement.teams.map((team) => team.id);
  const checkTeam = (team: string, path: AgreementPath) => {
    if (!teamIds.includes(team)) {
      report.error('UNKNOWN_REFERENCE', path, `unknown team "${team}"; ${describeChoices(team, teamIds)}`);
    }
  };
  agreement.routing.rules.forEach((rule, index) => {
    checkTeam(rule.team, ['routing', 'rules', index, 'team']);
  });
  checkTeam(agreement.routing.defaultTeam, ['routing', 'defaultTeam']);
  agreement.personas.forEach((persona, index) => {
    if (persona.team !== undefined) checkTeam(persona.team, ['personas', index, 'team']);
  });
  for (const team of Object.keys(agreement.sla.marketing.teams)) {
    checkTeam(team, ['sla', 'marketing', 'teams', team]);
  }
}

function checkSla(agreement: Agreement, report: Report): void {
  const { marketing, sales } = agreement.sla;
  const stageIds = agreement.stages.map((stage) => stage.id);
  if (!stageIds.includes(marketing.stage)) {
    report.error(
      'UNKNOWN_REFERENCE',
      ['sla', 'marketing', 'stage'],
      `unknown stage "${marketing.stage}"; ${describeChoices(marketing.stage, stageIds)}`,
    );
  }
  const rejectIds = agreement.feedback.rejectReasons.map((reason) => reason.id);
  marketing.invalidReasons.forEach((reason, index) => {
    if (!rejectIds.includes(reason)) {
      report.error(
        'UNKNOWN_REFERENCE',
        ['sla', 'marketing', 'invalidReasons', index],
        `unknown reject reason "${reason}"; ${describeChoices(reason, rejectIds)} (from feedback.rejectReasons)`,
      );
    }
  });
  const grades = agreement.fit.grades?.map((band) => band.grade) ?? [];
  for (const grade of Object.keys(marketing.gradePoints ?? {})) {
    if (!grades.includes(grade)) {
      report.error(
        'UNKNOWN_REFERENCE',
        ['sla', 'marketing', 'gradePoints', grade],
        `unknown fit grade "${grade}"; ${describeChoices(grade, grades)}`,
      );
    }
  }
  sales.escalation.forEach((step, index) => {
    const previous = index > 0 ? sales.escalation[index - 1]?.after : undefined;
    if (previous !== undefined && (parseDuration(step.after) ?? 0) <= (parseDuration(previous) ?? 0)) {
      report.warn(
        'ESCALATION_ORDER',
        ['sla', 'sales', 'escalation', index, 'after'],
        `escalation steps should come in order of time; "${step.after}" is not later than the step before ("${previous}")`,
      );
    }
  });
}

function checkPersonas(agreement: Agreement, report: Report): void {
  const refersTo = new Map<string, { target: string; path: AgreementPath }[]>();
  agreement.personas.forEach((persona, index) => {
    const edges = listConditions(persona.match, ['personas', index, 'match']).flatMap(
      ({ condition, path }) =>
        'persona' in condition ? [{ target: condition.persona, path: [...path, 'persona'] }] : [],
    );
    refersTo.set(persona.id, edges);
  });
  const reported = new Set<string>();
  for (const persona of agreement.personas) {
    const cycle = findCycle(persona.id, refersTo);
    if (cycle === undefined || reported.has(persona.id)) continue;
    for (const member of cycle.members) reported.add(member);
    report.error(
      'CIRCULAR_PERSONA',
      cycle.path,
      `persona "${persona.id}" is defined through itself (${[...cycle.members, persona.id].join(' → ')}); a persona's match must not lead back to it`,
    );
  }
}

function findCycle(
  start: string,
  refersTo: ReadonlyMap<string, { target: string; path: AgreementPath }[]>,
): { members: string[]; path: AgreementPath } | undefined {
  const walk = (
    id: string,
    trail: string[],
    firstPath: AgreementPath | undefined,
  ): { members: string[]; path: AgreementPath } | undefined => {
    for (const edge of refersTo.get(id) ?? []) {
      const path = firstPath ?? edge.path;
      if (edge.target === start) return { members: trail, path };
      if (trail.includes(edge.target)) continue;
      const found = walk(edge.target, [...trail, edge.target], path);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(start, [start], undefined);
}
