import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { createBackup } from '../../use-cases/backup/create-backup.ts';
import type { AppEnv } from '../app-env.ts';
import { requireOperator } from '../operator-auth.ts';
import { authErrors } from './common.ts';

const backupRoute = createRoute({
  method: 'post',
  path: '/admin/v1/backup',
  tags: ['operations'],
  summary:
    'A consistent backup of the whole database (every workspace), as gzip-compressed NDJSON; for the operator token only (SMARKETING_OPERATOR_TOKEN).',
  security: [{ operator: [] }],
  responses: {
    200: {
      description:
        'The backup file (docs/OPERATIONS.md describes the format). X-Smarketing-Backup-Rows and -Tables give its size.',
      content: { 'application/gzip': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    ...authErrors,
  },
});

/**
 * Operator routes, outside /api (no workspace key is accepted): `smarketing backup --url` calls
 * this so that an embedded PGlite database, which only its server may open, can be backed up
 * while it serves. The backup is written to a temporary file first, in one snapshot transaction,
 * so the database is not held while a slow client downloads it.
 */
export function adminRoutes(
  deps: Pick<Deps, 'database' | 'clock' | 'log'>,
  options: { operatorToken?: string | undefined; version: string },
) {
  const app = new OpenAPIHono<AppEnv>();
  app.openAPIRegistry.registerComponent('securitySchemes', 'operator', {
    type: 'http',
    scheme: 'bearer',
    description: 'The operator token of the server (SMARKETING_OPERATOR_TOKEN), not a workspace API key.',
  });
  return app.openapi(backupRoute, async (c) => {
    requireOperator(c.req.header('authorization'), options.operatorToken);
    const dir = await mkdtemp(join(tmpdir(), 'smarketing-backup-'));
    const file = join(dir, 'backup.ndjson.gz');
    const removeDir = () => rm(dir, { recursive: true, force: true });
    let stream: ReturnType<typeof createReadStream> | undefined;
    try {
      const manifest = await createBackup({ to: createWriteStream(file), appVersion: options.version }, deps);
      const rows = manifest.tables.reduce((sum, table) => sum + table.rows, 0);
      c.get('log').info({ rows, tables: manifest.tables.length }, 'backup taken');
      // The file is removed as soon as it is open: the open descriptor keeps it readable until the
      // stream closes, and no copy of the data is left on disk if the body is never read.
      stream = createReadStream(file);
      await once(stream, 'open');
      await removeDir();
      const name = `smarketing-${deps.clock().toISOString().replaceAll(':', '-').slice(0, 19)}.ndjson.gz`;
      return c.body(Readable.toWeb(stream) as ReadableStream, 200, {
        'content-type': 'application/gzip',
        'content-disposition': `attachment; filename="${name}"`,
        'x-smarketing-backup-rows': String(rows),
        'x-smarketing-backup-tables': String(manifest.tables.length),
        'cache-control': 'no-store',
      });
    } catch (error) {
      stream?.destroy();
      await removeDir();
      throw error;
    }
  });
}
