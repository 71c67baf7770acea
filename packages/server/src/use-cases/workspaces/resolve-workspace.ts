import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';

/**
 * The workspace a command-line call means: the one named by slug, or the only one there is.
 */
export async function resolveWorkspace(options: { slug?: string | undefined }, deps: Pick<Deps, 'repos'>) {
  if (options.slug) {
    const workspace = await deps.repos.workspaces.findBySlug(options.slug);
    if (!workspace) throw new AppError('NOT_FOUND', { message: `No workspace with slug "${options.slug}".` });
    return workspace;
  }
  const workspaces = await deps.repos.workspaces.list();
  const [only] = workspaces;
  if (workspaces.length === 1 && only) return only;
  if (workspaces.length === 0) {
    throw new AppError('NOT_FOUND', {
      message:
        'The database has no workspace yet: start the server once (`smarketing serve`) or run `smarketing workspace create <name>`.',
    });
  }
  throw new AppError('VALIDATION_FAILED', {
    message: `There are ${workspaces.length} workspaces; name one with --workspace (${workspaces.map((w) => w.slug).join(', ')}).`,
  });
}
