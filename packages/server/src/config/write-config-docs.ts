import { readFile, writeFile } from 'node:fs/promises';
import { renderConfigDocs } from './config.ts';

/** Writes docs/CONFIG.md, or with --check fails when it is out of date. */
const target = new URL('../../../../docs/CONFIG.md', import.meta.url);
const expected = renderConfigDocs();

if (process.argv.includes('--check')) {
  const actual = await readFile(target, 'utf8').catch(() => '');
  if (actual !== expected) {
    console.error('docs/CONFIG.md is out of date: run `npm run docs:config` and commit the result.');
    process.exit(1);
  }
  console.log('docs/CONFIG.md matches the config schema.');
} else {
  await writeFile(target, expected);
  console.log('wrote docs/CONFIG.md');
}
