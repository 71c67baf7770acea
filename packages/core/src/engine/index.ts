export * from './calendar/index.ts';
export * from './contact-engine.ts';
export * from './routing/index.ts';
export * from './scoring/index.ts';
export * from './stage-machine.ts';
export * from './workspace-engine.ts';
