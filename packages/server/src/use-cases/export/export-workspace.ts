import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { createRepositories } from '../../repositories/index.ts';
import { recordAudit } from '../audit/record-audit.ts';
import {
  type ExportHeader,
  exportFormat,
  exportFormatVersion,
  KindDigests,
  type RecordKind,
  sectionKinds,
} from './export-format.ts';

const batchSize = 2_000;

export type WorkspaceExport = {
  header: ExportHeader;
  /** The header line, then the records; the temporary body file is removed when it closes. */
  stream: Readable;
};

/**
 * Exports every fact of a workspace (see export-format.ts and docs/IMPORT.md) from ONE read-only
 * REPEATABLE READ transaction. The records go to a temporary file as they are read (never all in
 * memory), hashed per kind; the header, which carries the counts and digests, is written first in
 * the stream returned. The database is not held while the caller reads the stream. Audited as
 * `workspace.export`.
 */
export async function exportWorkspace(
  options: { workspaceId: string; actor: string; appVersion: string },
  deps: Pick<Deps, 'database' | 'clock'>,
): Promise<WorkspaceExport> {
  const dir = await mkdtemp(join(tmpdir(), 'smarketing-export-'));
  const removeDir = () => rm(dir, { recursive: true, force: true });
  try {
    const bodyFile = join(dir, 'body.ndjson');
    const body = createWriteStream(bodyFile);
    const write = async (text: string) => {
      if (!body.write(text)) await once(body, 'drain');
    };
    const digests = new KindDigests();
    const onBatch = async (batch: { kind: RecordKind; line: string }[]) => {
      for (const { kind, line } of batch) digests.add(kind, line);
      await write(`${batch.map((record) => record.line).join('\n')}\n`);
    };
    const exportedAt = deps.clock();
    const started = await deps.database.db.transaction(
      async (tx) => {
        const repos = createRepositories(tx);
        await repos.exports.pinSessionSettings();
        const workspace = await repos.workspaces.find(options.workspaceId);
        if (!workspace) {
          throw new AppError('NOT_FOUND', { message: `There is no workspace ${options.workspaceId}.` });
        }
        const agreement = await repos.agreementVersions.findLatest(options.workspaceId);
        for (const kind of sectionKinds) {
          await repos.exports.readSection(options.workspaceId, kind, batchSize, onBatch);
        }
        await repos.exports.readFacts(options.workspaceId, batchSize, onBatch);
        return { workspace, agreementVersion: agreement?.version ?? null };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
    body.end();
    await finished(body);

    const { counts, sha256 } = digests.summary();
    const header: ExportHeader = {
      kind: 'header',
      format: exportFormat,
      formatVersion: exportFormatVersion,
      workspace: {
        id: started.workspace.id,
        slug: started.workspace.slug,
        name: started.workspace.name,
        createdAt: started.workspace.createdAt.toISOString(),
      },
      agreementVersion: started.agreementVersion,
      exportedAt: exportedAt.toISOString(),
      appVersion: options.appVersion,
      counts,
      sha256,
    };
    await deps.database.db.transaction((tx) =>
      recordAudit(createRepositories(tx), {
        workspaceId: options.workspaceId,
        actor: options.actor,
        action: 'workspace.export',
        detail: { format: exportFormat, formatVersion: exportFormatVersion, counts },
        at: exportedAt,
      }),
    );
    const stream = Readable.from(
      (async function* () {
        try {
          yield Buffer.from(`${JSON.stringify(header)}\n`, 'utf8');
          for await (const chunk of createReadStream(bodyFile)) yield chunk as Buffer;
        } finally {
          await removeDir();
        }
      })(),
    );
    return { header, stream };
  } catch (error) {
    await removeDir();
    throw error;
  }
}
