#!/usr/bin/env node
// Smarketing runs its TypeScript sources directly (no build step): tsx registers the loader.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
