import type { Deps } from '../../deps.ts';

export type IngestDrops = {
  since: Date;
  total: number;
  byReason: { reason: string; count: number }[];
  recent: {
    reason: string;
    detail: string;
    messageId: string | null;
    excerpt: string | null;
    receivedAt: Date;
  }[];
};

/** What the pipeline dropped in a workspace since a time: counts per reason and the latest examples. */
export async function getIngestDrops(
  options: { workspaceId: string; since: Date; limit: number },
  deps: Pick<Deps, 'repos'>,
): Promise<IngestDrops> {
  const since = options.since.toISOString();
  const [byReason, recent] = await Promise.all([
    deps.repos.ingest.countDrops(options.workspaceId, since),
    deps.repos.ingest.recentDrops(options.workspaceId, since, options.limit),
  ]);
  return {
    since: options.since,
    total: byReason.reduce((sum, row) => sum + row.count, 0),
    byReason,
    recent,
  };
}
