import { useId } from 'react';
import { humanize } from '../../format.ts';

/**
 * A term with its definition one hover (or one Tab) away: the definition is a tooltip tied to the
 * term by aria-describedby, so screen readers read it with the term.
 */
export function Term({ label, definition }: { label: string; definition: string | undefined }) {
  const id = useId();
  if (!definition) return <>{label}</>;
  return (
    <span className="term">
      <button
        type="button"
        className="term-label"
        aria-describedby={id}
        onKeyDown={(event) => {
          // Escape dismisses the definition (it shows while the term has focus).
          if (event.key === 'Escape') event.currentTarget.blur();
        }}
      >
        {label}
      </button>
      <span role="tooltip" id={id} className="term-tip">
        {definition}
      </span>
    </span>
  );
}

/** Every definition the report carries, folded under its figures. */
export function Definitions({ definitions }: { definitions: Record<string, string> }) {
  const entries = Object.entries(definitions);
  if (entries.length === 0) return null;
  return (
    <details className="definitions">
      <summary>How these figures are defined</summary>
      <dl>
        {entries.map(([key, text]) => (
          <div key={key}>
            <dt>{humanize(key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase())}</dt>
            <dd>{text}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
