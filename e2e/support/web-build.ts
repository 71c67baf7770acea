import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoDir = fileURLToPath(new URL('../..', import.meta.url));
const webDir = join(repoDir, 'packages', 'web');

function newestMtime(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Builds the dashboard unless packages/web/dist is newer than every source file. */
export function ensureWebBuild(): void {
  const index = join(webDir, 'dist', 'index.html');
  const sources = Math.max(
    newestMtime(join(webDir, 'src')),
    newestMtime(join(webDir, 'index.html')),
    newestMtime(join(webDir, 'vite.config.ts')),
  );
  if (existsSync(index) && statSync(index).mtimeMs > sources) return;
  execFileSync('npm', ['run', 'build', '-w', '@smarketing/web'], { cwd: repoDir, stdio: 'pipe' });
}
