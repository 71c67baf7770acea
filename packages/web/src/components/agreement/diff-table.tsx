import type { AgreementChange } from '../../api/agreement-types.ts';

/** A value of a change, short: scalars as they are, lists and mappings as compact JSON. */
function show(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  const text = JSON.stringify(value);
  return text.length > 240 ? `${text.slice(0, 237)}…` : text;
}

const kindLabels: Record<AgreementChange['kind'], string> = {
  added: 'Added',
  removed: 'Removed',
  changed: 'Changed',
};

/** What changed between two versions, one row per change, before and after side by side. */
export function DiffTable({ changes }: { changes: readonly AgreementChange[] }) {
  return (
    <div className="table-wrap">
      <table className="agreement-table diff-table">
        <caption className="visually-hidden">Changes between the two versions</caption>
        <thead>
          <tr>
            <th scope="col">Where</th>
            <th scope="col">Change</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change) => (
            <tr key={`${change.kind}:${change.path}`} className={`diff-${change.kind}`}>
              <th scope="row">
                <code>{change.path || '(whole agreement)'}</code>
              </th>
              <td>
                <span className={`badge diff-badge-${change.kind}`}>{kindLabels[change.kind]}</span>
              </td>
              <td className="diff-before">{show(change.before)}</td>
              <td className="diff-after">{show(change.after)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
