import type { Deps } from '../../deps.ts';
import type { Announcement } from '../announcements/announcement-input.ts';
import { createAnnouncement } from '../announcements/create-announcement.ts';

const dayMs = 86_400_000;

/** The demo company's news around now: one of each kind, from last week to the week after next. */
const demoAnnouncements = [
  {
    days: -9,
    kind: 'product',
    title: 'Salesforce two-way sync is live for every plan',
    body: 'Deals, owners and stages now flow both ways within a minute. Mention it to prospects who run Salesforce.',
  },
  {
    days: -2,
    kind: 'campaign',
    title: '“Close the loop” webinar series starts',
    body: 'Three weekly webinars for RevOps leaders. Registrants score interest points; attendees are hot leads for inside sales.',
    link: 'https://example.com/webinars/close-the-loop',
  },
  {
    days: 3,
    kind: 'promotion',
    title: 'Year-end offer: two months free on annual plans',
    body: 'Valid for new customers who sign before December 31. Reps: use code YEAREND in the quote.',
  },
  {
    days: 10,
    kind: 'event',
    title: 'Meet us at the RevOps Summit, booth 14',
    body: 'Badge scans arrive as a CSV import the day after; the enterprise team follows up on the hot ones.',
  },
] as const;

/** Publishes the demo's announcements, so the home page and the weekly brief have news to show. */
export async function createDemoAnnouncements(
  options: { workspaceId: string },
  deps: Pick<Deps, 'repos' | 'clock' | 'database'>,
): Promise<Announcement[]> {
  const now = deps.clock().getTime();
  const created: Announcement[] = [];
  for (const { days, ...input } of demoAnnouncements) {
    created.push(
      await createAnnouncement(
        {
          workspaceId: options.workspaceId,
          input: { ...input, effectiveAt: new Date(now + days * dayMs).toISOString() },
          createdBy: 'system (demo)',
        },
        deps,
      ),
    );
  }
  return created;
}
