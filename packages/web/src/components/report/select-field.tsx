import { type ReactNode, useId } from 'react';

/**
 * A labelled select. The label points at the select (htmlFor) rather than wrapping it, so its
 * accessible name is the label alone, not the label followed by the chosen option.
 */
export function SelectField({
  label,
  value,
  onChange,
  children,
  inline = false,
}: {
  label: string;
  value: string;
  onChange(value: string): void;
  children: ReactNode;
  inline?: boolean;
}) {
  const id = useId();
  return (
    <div className={inline ? 'field field-inline' : 'field'}>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {children}
      </select>
    </div>
  );
}
