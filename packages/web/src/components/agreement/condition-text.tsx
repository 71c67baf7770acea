import type { Condition, FullAgreement, TraitValue } from '../../api/agreement-types.ts';

/** Names for the ids a condition refers to: the agreement's labels. */
export type ConditionNames = (kind: 'persona' | 'activity' | 'quadrant', id: string) => string;

export function conditionNamesOf(agreement: FullAgreement): ConditionNames {
  const personas = new Map(agreement.personas.map((persona) => [persona.id, persona.label]));
  const activities = new Map(agreement.interest.activities.map((activity) => [activity.id, activity.label]));
  return (kind, id) => {
    if (kind === 'persona') return personas.get(id) ?? id;
    if (kind === 'activity') return activities.get(id) ?? id;
    const quadrant = agreement.quadrants[id as keyof FullAgreement['quadrants']];
    return quadrant && 'label' in quadrant ? quadrant.label : id;
  };
}

const pastTense = { accept: 'accepted', reject: 'rejected', recycle: 'recycled' } as const;

function value(text: TraitValue): string {
  return typeof text === 'string' ? `“${text}”` : String(text);
}

/** A condition in words: `employees is at least 1000 and persona is “RevOps leader”`. */
function describeCondition(condition: Condition, names: ConditionNames): string {
  const nested = (child: Condition) => {
    const text = describeCondition(child, names);
    return 'all' in child || 'any' in child ? `(${text})` : text;
  };
  if ('all' in condition) return condition.all.map(nested).join(' and ');
  if ('any' in condition) return condition.any.map(nested).join(' or ');
  if ('not' in condition) return `not ${nested(condition.not)}`;
  if ('persona' in condition) return `is a “${names('persona', condition.persona)}”`;
  if ('quadrant' in condition) return `is in the “${names('quadrant', condition.quadrant)}” quadrant`;
  if ('activity' in condition) {
    const times = (condition.atLeast ?? 1) > 1 ? ` at least ${condition.atLeast} times` : '';
    const within = condition.withinDays === undefined ? '' : ` within ${condition.withinDays} days`;
    return `${names('activity', condition.activity).replace(/^./, (c) => c.toLowerCase())}${times}${within}`;
  }
  if ('feedback' in condition) return `sales ${pastTense[condition.feedback]} the lead`;
  if ('deal' in condition) return `a deal was ${condition.deal}`;
  if ('fitGrade' in condition) return `fit grade is ${condition.fitGrade.join(' or ')}`;
  const name = condition.trait;
  const parts: string[] = [];
  if (condition.equals !== undefined) parts.push(`${name} is ${value(condition.equals)}`);
  if (condition.in !== undefined) parts.push(`${name} is one of ${condition.in.map(value).join(', ')}`);
  if (condition.notIn !== undefined)
    parts.push(`${name} is none of ${condition.notIn.map(value).join(', ')}`);
  if (condition.contains !== undefined) parts.push(`${name} contains ${value(condition.contains)}`);
  if (condition.gte !== undefined && condition.lte !== undefined)
    parts.push(`${name} is between ${condition.gte} and ${condition.lte}`);
  else if (condition.gte !== undefined) parts.push(`${name} is at least ${condition.gte}`);
  else if (condition.lte !== undefined) parts.push(`${name} is at most ${condition.lte}`);
  if (condition.between !== undefined)
    parts.push(`${name} is between ${condition.between[0]} and ${condition.between[1]}`);
  if (condition.exists !== undefined) parts.push(`${name} is ${condition.exists ? 'known' : 'unknown'}`);
  return parts.join(' and ');
}

/**
 * A condition for reading: a top-level "any of" / "all of" becomes a short list, anything else
 * one sentence.
 */
export function ConditionText({ condition, names }: { condition: Condition; names: ConditionNames }) {
  const list = 'any' in condition ? condition.any : 'all' in condition ? condition.all : undefined;
  if (list && list.length > 1) {
    return (
      <span className="condition">
        {'any' in condition ? 'Any of:' : 'All of:'}
        <ul className="condition-list">
          {list.map((child, index) => (
            // Conditions have no ids; their position is their identity here.
            // biome-ignore lint/suspicious/noArrayIndexKey: a static list rendered once
            <li key={index}>{describeCondition(child, names)}</li>
          ))}
        </ul>
      </span>
    );
  }
  return <span className="condition">{describeCondition(condition, names)}</span>;
}
