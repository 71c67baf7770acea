import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { type CsvError, type Options, parse } from 'csv-parse';

/**
 * Streaming CSV reading for the importer: the encoding from the byte-order mark (UTF-8 when
 * there is none, strictly: bytes that are not UTF-8 are an error with their line, never
 * replacement characters), the delimiter sniffed among `,` `;` tab `|`, quoted fields with
 * delimiters, quotes and line breaks inside, CRLF/LF/CR line ends. Every record comes with
 * the file line it starts on. A record with the wrong number of fields, an unclosed quote or
 * an undecodable byte is a problem with its line, reported while the rest is read on.
 */
const delimiters = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof delimiters)[number];
type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export type CsvFormat = {
  delimiter: Delimiter;
  encoding: CsvEncoding;
  /** Whether the file starts with a byte-order mark. */
  bom: boolean;
  /** Why this delimiter, for the import summary. */
  delimiterReason: string;
};

export type CsvRecord = { line: number; values: string[] };

export type CsvProblem = {
  line: number;
  code: 'wrong-column-count' | 'unclosed-quote' | 'malformed-csv' | 'invalid-encoding';
  message: string;
};

const sniffBytes = 64 * 1024;
const sniffRecords = 50;

/** Reads the start of the file to tell its encoding and delimiter. */
export async function detectCsvFormat(path: string): Promise<CsvFormat> {
  const handle = await open(path, 'r');
  let bytes: Uint8Array;
  try {
    const buffer = Buffer.alloc(sniffBytes);
    const { bytesRead } = await handle.read(buffer, 0, sniffBytes, 0);
    bytes = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const { encoding, bom } = encodingOf(bytes);
  // Decode leniently here: a bad byte is reported with its line by the real read.
  const text = new TextDecoder(encoding).decode(bytes);
  return { encoding, bom, ...sniffDelimiter(text, bytes.length === sniffBytes) };
}

function encodingOf(bytes: Uint8Array): { encoding: CsvEncoding; bom: boolean } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', bom: true };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', bom: true };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', bom: true };
  return { encoding: 'utf-8', bom: false };
}

/**
 * The delimiter that splits the first records (quotes respected) into the same number of
 * fields, more than one; among those, the one giving the most fields. A file none of them
 * splits has one column.
 */
export function sniffDelimiter(
  text: string,
  truncated: boolean,
): { delimiter: Delimiter; delimiterReason: string } {
  const records = splitRecords(text.replace(/^\uFEFF/, ''), sniffRecords + 1);
  // The last record of a truncated sample may be cut short.
  if (truncated && records.length > 1) records.pop();
  let best: { delimiter: Delimiter; fields: number; consistent: number } | undefined;
  for (const delimiter of delimiters) {
    const counts = records.map((record) => countOutsideQuotes(record, delimiter));
    const [header, ...rest] = counts;
    if (header === undefined || header === 0) continue;
    const consistent = rest.length === 0 ? 1 : rest.filter((count) => count === header).length / rest.length;
    const candidate = { delimiter, fields: header + 1, consistent };
    if (
      !best ||
      candidate.consistent > best.consistent ||
      (candidate.consistent === best.consistent && candidate.fields > best.fields)
    ) {
      best = candidate;
    }
  }
  if (!best) return { delimiter: ',', delimiterReason: 'no delimiter found in the header: one column' };
  const name = best.delimiter === '\t' ? 'tab' : `"${best.delimiter}"`;
  const share = Math.round(best.consistent * 100);
  return {
    delimiter: best.delimiter,
    delimiterReason: `${name} splits the header into ${best.fields} fields and ${share}% of the first ${Math.max(records.length - 1, 0)} rows alike`,
  };
}

function splitRecords(text: string, limit: number): string[] {
  const records: string[] = [];
  let start = 0;
  let quoted = false;
  for (let index = 0; index < text.length && records.length < limit; index++) {
    const char = text[index];
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) {
      const record = text.slice(start, index);
      if (record.trim() !== '') records.push(record);
      if (char === '\r' && text[index + 1] === '\n') index++;
      start = index + 1;
    }
  }
  if (records.length < limit && start < text.length && text.slice(start).trim() !== '')
    records.push(text.slice(start));
  return records;
}

function countOutsideQuotes(record: string, delimiter: string): number {
  let count = 0;
  let quoted = false;
  for (const char of record) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === delimiter) count++;
  }
  return count;
}

export type ReadCsvOptions = {
  /** Called with each problem; the reader goes on after a bad record (not after a bad byte). */
  onProblem: (problem: CsvProblem) => void;
  /** Called with the number of bytes read so far. */
  onBytes?: (bytes: number) => void;
};

/**
 * The file's records in order, the header first, each with the line it starts on. Blank lines
 * are skipped. Records with problems are left out and reported through `onProblem`.
 */
export async function* readCsvRecords(
  path: string,
  format: CsvFormat,
  options: ReadCsvOptions,
): AsyncGenerator<CsvRecord> {
  let linesBefore = 0;
  const advance = (raw: string | undefined): number => {
    const text = raw ?? '';
    const leading = /^[\r\n]*/.exec(text)?.[0] ?? '';
    const line = linesBefore + 1 + countLineBreaks(leading);
    linesBefore += countLineBreaks(text);
    return line;
  };
  const parserOptions: Options = {
    delimiter: format.delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    bom: true,
    raw: true,
    skip_empty_lines: true,
    relax_column_count: false,
    skip_records_with_error: true,
    // With `raw`, each record is { record, raw }; it leaves the parser as a CsvRecord.
    on_record: ((record: { record: string[]; raw: string }): CsvRecord => ({
      line: advance(record.raw),
      values: record.record,
    })) as unknown as Options['on_record'],
    on_skip: (error: CsvError | undefined, raw: string | undefined) => {
      const line = advance(raw);
      options.onProblem(problemOf(error, line, raw));
      return undefined;
    },
  };
  const parser = parse(parserOptions);
  const decoded = Readable.from(decodeFile(path, format.encoding, options.onBytes));
  decoded.on('error', (error) => parser.destroy(error));
  decoded.pipe(parser);
  try {
    for await (const record of parser as AsyncIterable<CsvRecord>) yield record;
  } catch (error) {
    if (error instanceof DecodeError) {
      options.onProblem({ line: error.line, code: 'invalid-encoding', message: error.message });
      return;
    }
    throw error;
  } finally {
    decoded.destroy();
  }
}

function countLineBreaks(text: string): number {
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}

function problemOf(
  error: { code?: unknown; message: string } | undefined,
  line: number,
  raw: string | undefined,
): CsvProblem {
  const excerpt = (raw ?? '').replace(/[\r\n]+$/, '').replace(/^[\r\n]+/, '');
  const shown = excerpt.length > 80 ? `${excerpt.slice(0, 77)}…` : excerpt;
  switch (error?.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
      const counts = /expect (\d+), got (\d+)/.exec(error.message);
      const detail = counts
        ? `has ${counts[2]} fields where the header has ${counts[1]}`
        : 'has the wrong number of fields';
      return { line, code: 'wrong-column-count', message: `${detail}: ${shown}` };
    }
    case 'CSV_QUOTE_NOT_CLOSED':
      return { line, code: 'unclosed-quote', message: `a quote opened here is never closed: ${shown}` };
    default:
      return {
        line,
        code: 'malformed-csv',
        message: `${error?.message.replace(/ at line \d+.*$/, '') ?? 'cannot be read'}: ${shown}`,
      };
  }
}

class DecodeError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** The file as text, strictly decoded; an undecodable byte stops the read with its line. */
async function* decodeFile(
  path: string,
  encoding: CsvEncoding,
  onBytes: ((bytes: number) => void) | undefined,
): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  let bytes = 0;
  let lines = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      const offset = encoding === 'utf-8' ? firstInvalidUtf8(chunk) : 0;
      const line = lines + 1 + countNewlineBytes(chunk, offset);
      throw new DecodeError(
        line,
        encoding === 'utf-8'
          ? `the file is not UTF-8 (byte 0x${(chunk[offset] ?? 0).toString(16)} cannot be read); save it as "CSV UTF-8" and import again`
          : `the file is not valid ${encoding.toUpperCase()}`,
      );
    }
    lines += countNewlineChars(text);
    onBytes?.(bytes);
    yield text;
  }
  try {
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch {
    throw new DecodeError(lines + 1, 'the file ends in the middle of a character');
  }
}

function countNewlineChars(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) count++;
  return count;
}

function countNewlineBytes(chunk: Uint8Array, end: number): number {
  let count = 0;
  for (let index = 0; index < end; index++) if (chunk[index] === 0x0a) count++;
  return count;
}

/** The offset of the first byte that cannot start or continue a UTF-8 sequence (0 if none is found). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  // Continuation bytes at the start belong to a character begun in the previous chunk.
  while (index < 3 && index < bytes.length && ((bytes[index] as number) & 0xc0) === 0x80) index++;
  while (index < bytes.length) {
    const byte = bytes[index] as number;
    const length =
      byte < 0x80
        ? 1
        : byte >= 0xc2 && byte < 0xe0
          ? 2
          : byte >= 0xe0 && byte < 0xf0
            ? 3
            : byte >= 0xf0 && byte < 0xf5
              ? 4
              : 0;
    if (length === 0) return index;
    for (let next = 1; next < length; next++) {
      const continuation = bytes[index + next];
      if (continuation === undefined) return index + next === bytes.length ? index : index + next;
      if ((continuation & 0xc0) !== 0x80) return index;
    }
    index += length;
  }
  return 0;
}
