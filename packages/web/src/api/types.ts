/** The shapes of the server's answers the dashboard reads (see /openapi.json). */
export type Role = 'admin' | 'manager' | 'marketing' | 'sales' | 'viewer';

export type Session = {
  user: { id: string; email: string; name: string; role: Role; repId: string | null };
  workspace: { id: string; slug: string; name: string };
  csrfToken: string;
  expiresAt: string;
};

export type ClockStatus = 'open' | 'worked' | 'breached' | 'cancelled';

export type QueueItem = {
  contactId: string;
  name: string | null;
  email: string | null;
  title: string | null;
  company: string | null;
  account: { id: string; name: string } | null;
  stage: string;
  quadrant: string;
  fit: { score: number; grade: string };
  interest: number;
  clock: {
    status: ClockStatus;
    startedAt: string;
    deadlineAt: string;
    breachedAt: string | null;
    stoppedAt: string | null;
  } | null;
  lastActivityAt: string | null;
  urgency: 'open-clock' | 'breached' | 'owned';
};

export type Queue = {
  rep: { id: string; name: string; teamId: string };
  asOf: string;
  total: number;
  items: QueueItem[];
};

export type Contribution = { id: string; label: string; points: number; detail?: string };

export type LeadStatus = {
  stage: string;
  stageSince: string | null;
  furthestStage: string;
  detour: { id: string; from: string; reason: string | null; returnsAt: string | null } | null;
  owner: { repId: string | null; teamId: string | null; since: string } | null;
  scoredAt: string;
  quadrant: string;
  fit: { score: number; grade: string; personas: string[]; explanation: Contribution[] };
  interest: { score: number; explanation: Contribution[] };
  clock: {
    id: string;
    repId: string | null;
    status: ClockStatus;
    startedAt: string;
    deadlineAt: string;
    businessHours: boolean;
    stoppedAt: string | null;
    stopCause: string | null;
    breachedAt: string | null;
  } | null;
  assignments: {
    id: string;
    repId: string | null;
    teamId: string | null;
    reasonKind: string;
    reason: string;
    at: string;
  }[];
  alerts: { id: string; kind: string; at: string; detail: unknown }[];
  account: {
    fit: number;
    fitGrade: string;
    interest: number;
    quadrant: string;
    contacts: number;
    explanation: Contribution[];
  } | null;
  agreementVersion: number;
};

export type ContactView = {
  id: string;
  mergedIds: string[];
  email: string | null;
  traits: Record<string, unknown>;
  createdAt: string;
  account: { id: string; name: string; domain: string | null; traits: Record<string, unknown> } | null;
  activities: { count: number; lastAt: string | null };
  lead: LeadStatus | null;
};

export type TimelineEntry = {
  source: 'activity' | 'touch' | 'transition' | 'feedback' | 'deal-event' | 'reassignment';
  id: string;
  contactId: string;
  occurredAt: string;
  kind: string;
  data: Record<string, unknown>;
};

export type TimelinePage = { contactId: string; entries: TimelineEntry[]; nextBefore: string | null };

type Labelled = { id: string; label: string };

/** The parts of the current agreement the dashboard shows. */
export type Agreement = {
  name?: string;
  stages: (Labelled & { owner: string; description?: string })[];
  detours: (Labelled & { reasons?: string })[];
  teams: (Labelled & {
    kind: 'sales' | 'marketing';
    reps?: { id: string; name: string; email?: string }[];
  })[];
  quadrants: Record<string, { label: string; action: string; firstTouchWithin?: string }>;
  personas: (Labelled & { description?: string })[];
  feedback: {
    rejectReasons: (Labelled & { invalid?: boolean })[];
    recycleReasons: (Labelled & { recycleAfterDays?: number })[];
  };
  sla: { sales: { qualifyingTouches: string[] } };
};

export type AgreementVersion = { version: number; appliedAt: string; agreement: Agreement };

export type RecordOutcome = {
  created: number;
  duplicates: number;
  rejected: { index: number; code: string; message: string }[];
};

/** The answer to `POST /api/v1/contacts/{id}/reassign`. */
export type Reassignment = {
  reassignmentId: string;
  contactId: string;
  toRepId: string;
  fromRepId: string | null;
  reason: string | null;
  occurredAt: string;
  duplicate: boolean;
};
