import type { Database } from './db/client.ts';
import type { IngestWriter } from './ingest/ingest-writer.ts';
import type { Logger } from './log.ts';
import type { Repositories } from './repositories/index.ts';

/** What a use case may touch: storage through repositories, the ingestion writer, the clock, and the log. */
export type Deps = {
  database: Database;
  repos: Repositories;
  clock: () => Date;
  ingest: IngestWriter;
  log: Logger;
};
