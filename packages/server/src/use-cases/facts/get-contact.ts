import { AppError } from '../../app-error.ts';
import type { JsonObject } from '../../db/schema.ts';
import type { Deps } from '../../deps.ts';
import type { ContactIdentityRow } from '../../repositories/contact.repository.ts';
import type { DealEventRow, DealRow } from '../../repositories/deal.repository.ts';
import type { FeedbackRow } from '../../repositories/feedback.repository.ts';
import { createRepositories } from '../../repositories/index.ts';
import type { TouchRow } from '../../repositories/touch.repository.ts';
import type { TransitionRow } from '../../repositories/transition.repository.ts';
import { findLeadStatus, type LeadStatus } from '../engine/get-lead-status.ts';

export type ContactView = {
  id: string;
  /** Contacts merged into this one; their facts are part of this view. */
  mergedIds: string[];
  email: string | null;
  traits: JsonObject;
  createdAt: Date;
  updatedAt: Date;
  identities: Pick<ContactIdentityRow, 'kind' | 'value' | 'createdAt'>[];
  account: {
    id: string;
    name: string;
    domain: string | null;
    externalId: string | null;
    traits: JsonObject;
  } | null;
  /** Oldest first, like every list here. */
  touches: TouchRow[];
  deals: DealRow[];
  dealEvents: DealEventRow[];
  feedback: FeedbackRow[];
  transitions: TransitionRow[];
  activities: { count: number; lastAt: Date | null };
  /** Where the engine has the lead: stage, owner, scores and why, SLA clock; null before it has seen it. */
  lead: LeadStatus | null;
};

/**
 * One contact with everything sales did to it and where it stands: the rep's view. An id of a
 * merged contact answers its survivor, with the facts of every contact merged into it. NOT_FOUND
 * when the id is not a contact of this workspace.
 */
export async function getContact(
  options: { workspaceId: string; contactId: string },
  deps: Pick<Deps, 'database' | 'clock'>,
): Promise<ContactView> {
  return deps.database.db.transaction(async (tx) => {
    const repos = createRepositories(tx);
    const family = await repos.contactWrites.findFamily(options.workspaceId, options.contactId);
    const contact = family && (await repos.contacts.find(options.workspaceId, family.survivor));
    if (!family || !contact) {
      throw new AppError('NOT_FOUND', {
        message: `Contact ${options.contactId} does not exist in this workspace.`,
        details: { contactId: options.contactId },
      });
    }
    const { members } = family;
    const perMember = async <T extends { occurredAt: Date }>(list: (contactId: string) => Promise<T[]>) => {
      const found: T[] = [];
      for (const member of members) found.push(...(await list(member)));
      return found.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    };

    const identities = await repos.contacts.listIdentities(options.workspaceId, contact.id);
    const account = contact.accountId
      ? ((await repos.contactWrites.findAccount(options.workspaceId, contact.accountId)) ?? null)
      : null;
    return {
      id: contact.id,
      mergedIds: members.filter((id) => id !== contact.id),
      email: contact.email,
      traits: contact.traits,
      createdAt: contact.createdAt,
      updatedAt: contact.updatedAt,
      identities: identities.map(({ kind, value, createdAt }) => ({ kind, value, createdAt })),
      account,
      touches: await perMember((id) => repos.touches.listForContact(options.workspaceId, id)),
      deals: await repos.deals.listForContacts(options.workspaceId, members),
      dealEvents: await repos.deals.listEventsForContacts(options.workspaceId, members),
      feedback: await perMember((id) => repos.feedback.listForContact(options.workspaceId, id)),
      transitions: await perMember((id) => repos.transitions.listForContact(options.workspaceId, id)),
      activities: await repos.contactWrites.summarizeActivities(options.workspaceId, members),
      lead:
        (await findLeadStatus(repos, {
          workspaceId: options.workspaceId,
          contactId: contact.id,
          memberIds: members,
          now: deps.clock(),
        })) ?? null,
    };
  });
}
