import type { ReactNode } from 'react';

/** A calm note above a report: what the figures cannot show, and why. */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="notice report-notice" role="note">
      {children}
    </p>
  );
}
