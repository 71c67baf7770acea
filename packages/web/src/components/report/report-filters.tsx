import { type FormEvent, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { humanize } from '../../format.ts';
import { repsOf, useAgreement } from '../../use-agreement.ts';
import {
  addMonths,
  currentMonth,
  describePeriod,
  type ReportParams,
  readReportParams,
  type SegmentKey,
  segmentKeys,
} from './report-params.ts';
import { SelectField } from './select-field.tsx';

const presets = [
  { id: 'this-month', label: 'This month', back: 0, months: 1 },
  { id: 'last-month', label: 'Last month', back: 1, months: 1 },
  { id: 'last-3', label: 'Last 3 months', back: 2, months: 3 },
  { id: 'last-6', label: 'Last 6 months', back: 5, months: 6 },
  { id: 'last-12', label: 'Last 12 months', back: 11, months: 12 },
] as const;

function presetPeriod(preset: (typeof presets)[number]): { from: string; to: string } {
  const from = addMonths(currentMonth(), -preset.back);
  return { from, to: addMonths(from, preset.months) };
}

function presetOf(params: Pick<ReportParams, 'from' | 'to'>): string {
  return (
    presets.find((preset) => {
      const period = presetPeriod(preset);
      return period.from === params.from && period.to === params.to;
    })?.id ?? 'custom'
  );
}

/**
 * The period (unless the page has its own, `withPeriod={false}`) and segment of a report, kept in the URL: applying the form replaces those search
 * parameters and leaves the page's own (view, unit) as they are.
 */
export function ReportFilters({ withPeriod = true }: { withPeriod?: boolean }) {
  const [search, setSearch] = useSearchParams();
  const applied = readReportParams(search);
  const [draft, setDraft] = useState(applied);
  const agreement = useAgreement()?.agreement;
  const appliedKey = search.toString();

  // The URL is the truth: back/forward or a tab link resets the form to it.
  useEffect(() => setDraft(readReportParams(new URLSearchParams(appliedKey))), [appliedKey]);

  function apply(next: ReportParams) {
    const params = new URLSearchParams(search);
    if (withPeriod) {
      params.set('from', next.from);
      params.set('to', next.to);
    }
    for (const key of segmentKeys) {
      const value = next.segment[key]?.trim();
      if (value) params.set(key, value);
      else params.delete(key);
    }
    setSearch(params);
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (draft.from >= draft.to) return;
    apply(draft);
  }

  function setSegment(key: SegmentKey, value: string, now = false) {
    const next = { ...draft, segment: { ...draft.segment, [key]: value } };
    setDraft(next);
    if (now) apply(next);
  }

  const preset = presetOf(draft);
  const through = addMonths(draft.to, -1);
  const salesTeams = (agreement?.teams ?? []).filter((team) => team.kind === 'sales');
  const reps = repsOf(agreement);
  const quadrants = Object.entries(agreement?.quadrants ?? {});
  const invalidPeriod = draft.from > through;

  return (
    <form className="report-filters" onSubmit={onSubmit} aria-label="Period and segment">
      {withPeriod && (
        <fieldset className="filter-group">
          <legend>Period</legend>
          <SelectField
            label="Months"
            value={preset}
            onChange={(value) => {
              const chosen = presets.find((candidate) => candidate.id === value);
              if (!chosen) return setDraft({ ...draft });
              const next = { ...draft, ...presetPeriod(chosen) };
              setDraft(next);
              apply(next);
            }}
          >
            {presets.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.label}
              </option>
            ))}
            <option value="custom">{preset === 'custom' ? describePeriod(draft) : 'Custom…'}</option>
          </SelectField>
          <label className="field">
            <span>From</span>
            <input
              type="month"
              value={draft.from}
              required
              onChange={(event) => event.target.value && setDraft({ ...draft, from: event.target.value })}
            />
          </label>
          <label className="field">
            <span>Through</span>
            <input
              type="month"
              value={through}
              required
              aria-invalid={invalidPeriod}
              onChange={(event) =>
                event.target.value && setDraft({ ...draft, to: addMonths(event.target.value, 1) })
              }
            />
          </label>
        </fieldset>
      )}
      <fieldset className="filter-group">
        <legend>Segment</legend>
        <label className="field">
          <span>Source</span>
          <input
            type="text"
            value={draft.segment.source ?? ''}
            placeholder="Any"
            maxLength={100}
            onChange={(event) => setSegment('source', event.target.value)}
          />
        </label>
        <SelectField
          label="Team"
          value={draft.segment.team ?? ''}
          onChange={(value) => setSegment('team', value, true)}
        >
          <option value="">Any</option>
          {salesTeams.map((team) => (
            <option key={team.id} value={team.id}>
              {team.label}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Rep"
          value={draft.segment.rep ?? ''}
          onChange={(value) => setSegment('rep', value, true)}
        >
          <option value="">Any</option>
          {reps.map((rep) => (
            <option key={rep.id} value={rep.id}>
              {rep.name}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Quadrant"
          value={draft.segment.quadrant ?? ''}
          onChange={(value) => setSegment('quadrant', value, true)}
        >
          <option value="">Any</option>
          {quadrants.map(([id, quadrant]) => (
            <option key={id} value={id}>
              {quadrant.label || humanize(id)}
            </option>
          ))}
        </SelectField>
        <label className="field">
          <span>Country</span>
          <input
            type="text"
            value={draft.segment.country ?? ''}
            placeholder="Any"
            maxLength={100}
            onChange={(event) => setSegment('country', event.target.value)}
          />
        </label>
        <label className="field">
          <span>Industry</span>
          <input
            type="text"
            value={draft.segment.industry ?? ''}
            placeholder="Any"
            maxLength={100}
            onChange={(event) => setSegment('industry', event.target.value)}
          />
        </label>
      </fieldset>
      <div className="filter-actions">
        <button type="submit" className="button button-primary" disabled={invalidPeriod}>
          Apply
        </button>
        {(Object.keys(applied.segment).length > 0 || search.has('from')) && (
          <button
            type="button"
            className="button button-quiet"
            onClick={() => {
              const params = new URLSearchParams(search);
              for (const key of ['from', 'to', ...segmentKeys]) params.delete(key);
              setSearch(params);
            }}
          >
            Reset
          </button>
        )}
        {invalidPeriod && <p className="form-error">“Through” must not be before “From”.</p>}
      </div>
    </form>
  );
}
