import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';

/** One CSV line (RFC 4180): fields with a comma, quote or line break are quoted, quotes doubled. */
export function formatCsvLine(values: readonly string[]): string {
  return `${values.map((value) => (/[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value)).join(',')}\r\n`;
}

export type CsvWriter = {
  /** Writes a line; the file is created (truncated) on the first one. */
  write(values: readonly string[]): Promise<void>;
  /** Lines written so far. */
  count(): number;
  close(): Promise<void>;
  /** Closes and deletes the file, if it was created. */
  discard(): Promise<void>;
};

/** A CSV file written only once it has a line, so a clean import leaves no empty file behind. */
export function createLazyCsvWriter(path: string, header: readonly string[]): CsvWriter {
  let stream: WriteStream | undefined;
  let lines = 0;
  const put = (text: string) =>
    new Promise<void>((resolve, reject) => {
      if (!stream) throw new Error('not open');
      stream.write(text, (error) => (error ? reject(error) : resolve()));
    });
  const close = () =>
    new Promise<void>((resolve, reject) => {
      if (!stream) return resolve();
      stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
  return {
    async write(values) {
      if (!stream) {
        stream = createWriteStream(path, { flags: 'w' });
        // The UTF-8 byte-order mark makes spreadsheet programs read the file as UTF-8.
        await put(`\uFEFF${formatCsvLine(header)}`);
      }
      lines++;
      await put(formatCsvLine(values));
    },
    count: () => lines,
    close,
    async discard() {
      const created = stream !== undefined;
      await close();
      stream = undefined;
      lines = 0;
      if (created) await rm(path, { force: true });
    },
  };
}
