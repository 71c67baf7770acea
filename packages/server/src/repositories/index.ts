import type { Db } from '../db/client.ts';
import { createActivityRepository } from './activity.repository.ts';
import { createAgreementVersionRepository } from './agreement-version.repository.ts';
import { createAnnouncementRepository } from './announcement.repository.ts';
import { createApiKeyRepository } from './api-key.repository.ts';
import { createAuditRepository } from './audit.repository.ts';
import { createBackupRepository } from './backup.repository.ts';
import { createBriefRepository } from './brief.repository.ts';
import { createClogRepository } from './clog.repository.ts';
import { createContactRepository } from './contact.repository.ts';
import { createContactWriteRepository } from './contact-write.repository.ts';
import { createDealRepository } from './deal.repository.ts';
import { createEngineRepository } from './engine.repository.ts';
import { createEraseRepository } from './erase.repository.ts';
import { createExportRepository } from './export.repository.ts';
import { createFeedbackRepository } from './feedback.repository.ts';
import { createImportStagingRepository } from './import-staging.repository.ts';
import { createIngestRepository } from './ingest.repository.ts';
import { createInsightsRepository } from './insights.repository.ts';
import { createMetricsRepository } from './metrics.repository.ts';
import { createNotificationRepository } from './notification.repository.ts';
import { createPersonaRepository } from './persona.repository.ts';
import { createQueueRepository } from './queue.repository.ts';
import { createReassignmentRepository } from './reassignment.repository.ts';
import { createReportRepository } from './report.repository.ts';
import { createSalesReportRepository } from './sales-report.repository.ts';
import { createTimelineRepository } from './timeline.repository.ts';
import { createTouchRepository } from './touch.repository.ts';
import { createTransitionRepository } from './transition.repository.ts';
import { createUserRepository } from './user.repository.ts';
import { createUserSessionRepository } from './user-session.repository.ts';
import { createWebhookRepository } from './webhook.repository.ts';
import { createWorkspaceRepository } from './workspace.repository.ts';

/** Every repository over one database (or one transaction: pass `tx` as `db`). */
export function createRepositories(db: Db) {
  return {
    workspaces: createWorkspaceRepository(db),
    apiKeys: createApiKeyRepository(db),
    audit: createAuditRepository(db),
    backup: createBackupRepository(db),
    agreementVersions: createAgreementVersionRepository(db),
    contacts: createContactRepository(db),
    activities: createActivityRepository(db),
    touches: createTouchRepository(db),
    transitions: createTransitionRepository(db),
    feedback: createFeedbackRepository(db),
    ingest: createIngestRepository(db),
    metrics: createMetricsRepository(db),
    contactWrites: createContactWriteRepository(db),
    deals: createDealRepository(db),
    engine: createEngineRepository(db),
    erase: createEraseRepository(db),
    webhooks: createWebhookRepository(db),
    notifications: createNotificationRepository(db),
    importStaging: createImportStagingRepository(db),
    users: createUserRepository(db),
    userSessions: createUserSessionRepository(db),
    queue: createQueueRepository(db),
    timeline: createTimelineRepository(db),
    reports: createReportRepository(db),
    salesReports: createSalesReportRepository(db),
    announcements: createAnnouncementRepository(db),
    personas: createPersonaRepository(db),
    clogs: createClogRepository(db),
    briefs: createBriefRepository(db),
    insights: createInsightsRepository(db),
    reassignments: createReassignmentRepository(db),
    exports: createExportRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
