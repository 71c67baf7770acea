/** The agreement as the server answers it (parsed, defaults filled in), for the agreement pages. */
export type TraitValue = string | number | boolean;

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | {
      trait: string;
      equals?: TraitValue;
      in?: TraitValue[];
      notIn?: TraitValue[];
      contains?: string;
      gte?: number;
      lte?: number;
      between?: [number, number];
      exists?: boolean;
    }
  | { persona: string }
  | { quadrant: string }
  | { activity: string; atLeast?: number; withinDays?: number }
  | { feedback: 'accept' | 'reject' | 'recycle' }
  | { deal: 'created' | 'won' | 'lost' }
  | { fitGrade: string[] };

type Labelled = { id: string; label: string };

export type Reason = Labelled & { invalid: boolean; recycleAfterDays?: number };

export type QuadrantRule = {
  label: string;
  action: 'hand-to-sales' | 'nurture' | 'low-touch-sales' | 'suppress';
  firstTouchWithin?: string;
  businessHours: boolean;
};

export type FullAgreement = {
  name: string;
  timezone: string;
  currency: string;
  teams: (Labelled & {
    kind: 'marketing' | 'sales';
    timezone?: string;
    businessHours: { days: string[]; start: string; end: string };
    holidays: string[];
    manager?: { name: string; email: string };
    reps: { id: string; name: string; email: string; capacity: number; dailyCap?: number; away: boolean }[];
  })[];
  stages: (Labelled & { description?: string; owner: string; entry?: Condition; moves: string[] })[];
  detours: (Labelled & {
    from: string[];
    returnsTo: string | null;
    reasonRequired: boolean;
    reasons?: 'reject' | 'recycle' | 'lost';
  })[];
  fit: {
    rules: (Labelled & { when: Condition; points: number })[];
    grades?: { grade: string; min?: number; max?: number }[];
  };
  interest: {
    halfLifeDays: number;
    totalCap?: number;
    activities: (Labelled & {
      match: { events?: string[]; pages?: string[]; types?: string[] };
      points: number;
      cap?: number;
      group?: string;
    })[];
    groupCaps: Record<string, number>;
    frequency: {
      id: string;
      label?: string;
      activity: string;
      atLeast: number;
      withinDays: number;
      points: number;
    }[];
  };
  quadrants: {
    thresholds: { fit: number; interest: number };
    hot: QuadrantRule;
    nurture: QuadrantRule;
    fan: QuadrantRule;
    drop: QuadrantRule;
  };
  routing: {
    strategy: string;
    accountOwnerWins: boolean;
    keepExistingOwner: boolean;
    rules: { id: string; label?: string; when: Condition; team: string }[];
    defaultTeam: string;
  };
  sla: {
    period: 'week' | 'month' | 'quarter';
    marketing: {
      stage: string;
      measure: 'points' | 'expected-value';
      target: number;
      gradePoints?: Record<string, number>;
      teams: Record<string, number>;
      invalidReasons: string[];
    };
    sales: {
      workedWithinDeadline: number;
      qualifyingTouches: string[];
      escalation: { after: string; action: 'notify-manager' | 'reassign' }[];
    };
  };
  feedback: { rejectReasons: Reason[]; recycleReasons: Reason[]; lostReasons: Reason[] };
  personas: (Labelled & { description?: string; match: Condition; team?: string; pains?: string[] })[];
  goals: { period: string; amount: number; averageDealSize?: number }[];
};

export type VersionSummary = {
  version: number;
  checksum: string;
  appliedBy: string;
  appliedAt: string;
  note: string | null;
};

export type FullAgreementVersion = VersionSummary & { document: string; agreement: FullAgreement };

export type AgreementIssue = {
  code: string;
  path: (string | number)[];
  pathText: string;
  line?: number;
  column?: number;
  message: string;
};

export type AgreementCheckResult = {
  ok: boolean;
  issues: AgreementIssue[];
  warnings: AgreementIssue[];
  summary?: string;
};

export type AgreementChange = {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
};

export type AgreementDiff = { from: number; to: number; changes: AgreementChange[] };

export type AppliedVersion = VersionSummary & { unchanged: boolean };
