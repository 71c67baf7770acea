import { useSearchParams } from 'react-router';
import type { BucketUnit } from '../../api/report-types.ts';

/** Months or ISO weeks as the rows of a report, kept in the URL as `unit=week`. */
export function useUnit(): [BucketUnit, (unit: BucketUnit) => void] {
  const [search, setSearch] = useSearchParams();
  const unit: BucketUnit = search.get('unit') === 'week' ? 'week' : 'month';
  return [
    unit,
    (next) => {
      const params = new URLSearchParams(search);
      if (next === 'week') params.set('unit', 'week');
      else params.delete('unit');
      setSearch(params);
    },
  ];
}

export function UnitToggle({ unit, onChange }: { unit: BucketUnit; onChange(unit: BucketUnit): void }) {
  return (
    <fieldset className="segmented view-toggle">
      <legend className="visually-hidden">Rows by</legend>
      {(
        [
          ['month', 'By month'],
          ['week', 'By week'],
        ] as const
      ).map(([id, label]) => (
        <label key={id} className="segment">
          <input
            type="radio"
            name="report-unit"
            value={id}
            checked={unit === id}
            onChange={() => onChange(id)}
          />
          <span>{label}</span>
        </label>
      ))}
    </fieldset>
  );
}
