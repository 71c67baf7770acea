/** Personas, announcements and the weekly brief, as the server answers them. */
import type { AgreementChange, Condition } from './agreement-types.ts';

export type Persona = {
  id: string;
  label: string;
  description?: string;
  match: Condition;
  team?: string;
  pains: string[];
};

export type PersonaList = { version: number; personas: (Persona & { contacts: number })[] };

export type PersonaEditResult = {
  previousVersion: number;
  version: number;
  unchanged: boolean;
  persona?: Persona;
  changes: AgreementChange[];
};

export const announcementKinds = ['product', 'campaign', 'promotion', 'event', 'other'] as const;
export type AnnouncementKind = (typeof announcementKinds)[number];

export type Announcement = {
  id: string;
  kind: AnnouncementKind;
  title: string;
  body: string;
  link: string | null;
  effectiveAt: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  withdrawnAt: string | null;
};

type ClogSide = {
  entries: number;
  converted?: number;
  rate?: number | null;
  medianHours?: number | null;
  stillIn?: number;
};

type BriefClog = {
  stage: string;
  label: string;
  metric: 'conversion' | 'time-in-stage';
  segment: { key: string; value: string } | null;
  current: ClogSide;
  baseline: ClogSide;
  q: number;
  impact: { revenue: number | null; missingConversions: number | null; stuck: number | null };
  leadCount: number;
  leads: {
    personId: string;
    name: string | null;
    email: string | null;
    hoursInStage: number;
    stillIn: boolean;
  }[];
};

/** The weekly meeting brief (`GET /api/v1/brief?week=…`). */
export type Brief = {
  brief: 'weekly';
  week: { label: string; from: string; to: string; timezone: string };
  agreementVersion: number;
  asOf: string;
  currency: string;
  definitions: Record<string, string>;
  wins: {
    count: number;
    revenue: number;
    bigThreshold: number | null;
    deals: {
      id: string;
      name: string;
      amount: number | null;
      currency: string | null;
      account: string | null;
      contact: string | null;
      closeDate: string;
      big: boolean;
    }[];
  };
  announcements: {
    id: string;
    kind: AnnouncementKind;
    title: string;
    body: string;
    link: string | null;
    effectiveAt: string;
  }[];
  leadFlow: {
    rows: { label: string; leads: number; newLeads: number; mqls: number }[];
    week: { leads: number; newLeads: number; mqls: number; mqlChange: number | null } | null;
  };
  waterfall: {
    stages: string[];
    cohorts: { label: string; size: number; reached: Record<string, number> }[];
  };
  sla: {
    period: string;
    marketing: {
      value: number | null;
      target: number | null;
      attainment: number | null;
      expected: number | null;
      projected: number | null;
      onPace: boolean | null;
    };
    sales: {
      target: number;
      compliance: number | null;
      met: boolean | null;
      due: number;
      breaches: number;
      openBreaches: number;
      teams: { team: string | null; due: number; compliance: number | null; openBreaches: number }[];
    };
  };
  clogs: BriefClog[];
  feedbackThemes: {
    verdict: 'reject' | 'recycle';
    reason: string | null;
    label: string;
    count: number;
    share: number | null;
    previousShare: number | null;
    previousCount: number;
    examples: string[];
  }[];
  questions: { rule: string; question: string; evidence: string }[];
};
