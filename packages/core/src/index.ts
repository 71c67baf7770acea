export * from './access/roles.ts';
export * from './agreement/index.ts';
export * from './ingest/classify-activity.ts';
export * from './ingest/email-domain.ts';
export * from './ingest/identity-plan.ts';
export * from './ingest/records.ts';
export * from './ingest/segment-message.ts';
export * from './simulator/index.ts';
