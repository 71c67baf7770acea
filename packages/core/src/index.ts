export * from './access/roles.ts';
export * from './agreement/index.ts';
export * from './ingest/records.ts';
