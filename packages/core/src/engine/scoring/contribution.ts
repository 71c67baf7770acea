/** One line of a score's explanation: what added (or took away) how many points, and why. */
export type Contribution = { id: string; label: string; points: number; detail?: string };

/** Largest absolute points first; equal lines keep their order (the agreement's). */
export function sortContributions(contributions: readonly Contribution[]): Contribution[] {
  return contributions
    .map((contribution, index) => ({ contribution, index }))
    .sort((a, b) => Math.abs(b.contribution.points) - Math.abs(a.contribution.points) || a.index - b.index)
    .map(({ contribution }) => contribution);
}

/** Points for people to read: one decimal, never `-0`. State and comparisons stay exact. */
export function roundPoints(points: number): number {
  const rounded = Math.round(points * 10) / 10;
  return rounded === 0 ? 0 : rounded;
}

/** `30`, `21.2`, `-7.5`: one decimal at most. */
export function formatPoints(points: number): string {
  return String(roundPoints(points));
}
