import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type CsvProblem,
  type CsvRecord,
  detectCsvFormat,
  readCsvRecords,
  sniffDelimiter,
} from './read-csv.ts';
import { formatCsvLine } from './write-csv.ts';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/import/', import.meta.url));
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'smarketing-csv-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function fileWith(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, content);
  return path;
}

async function readAll(path: string): Promise<{ records: CsvRecord[]; problems: CsvProblem[] }> {
  const format = await detectCsvFormat(path);
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  for await (const record of readCsvRecords(path, format, { onProblem: (p) => problems.push(p) })) {
    records.push(record);
  }
  return { records, problems };
}

describe('sniffDelimiter', () => {
  test.each([
    ['a,b,c\n1,2,3\n', ','],
    ['"age";"job";"y"\n56;"housemaid";"no"\n', ';'],
    ['a\tb\tc\n1\t2\t3\n', '\t'],
    ['E-mail|Name\nada@acme.example|Ada\n', '|'],
    ['name,notes\n"Acme; Inc","a; b; c"\n', ','],
    ['a;b,c\n1;2,3\n4;5,6\n', ','],
    ['email\nada@acme.example\n', ','],
  ])('finds the delimiter of %j', (text, delimiter) => {
    expect(sniffDelimiter(text, false).delimiter).toBe(delimiter);
  });

  test('explains its choice', () => {
    expect(sniffDelimiter('a;b;c\n1;2;3\n4;5;6\n', false).delimiterReason).toBe(
      '";" splits the header into 3 fields and 100% of the first 2 rows alike',
    );
  });
});

describe('readCsvRecords', () => {
  test('reads a BOM, CRLF line ends and quoted fields with delimiters, quotes and line breaks', async () => {
    const { records, problems } = await readAll(join(fixtures, 'bom-crlf-quoted.csv'));
    expect(problems).toEqual([]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 5, 6, 7]);
    expect(records[0]?.values).toEqual(['email', 'first_name', 'last_name', 'company', 'traits.notes']);
    expect(records[1]?.values).toEqual([
      'ada@acme.example',
      'Ada',
      'Park',
      'Acme; Inc',
      'Met at SaaStr.\r\nWants a demo in "Q2";\r\ncall back.',
    ]);
    expect(records[4]?.values[4]).toBe('two\nlines');
  });

  test('reports every row with the wrong number of fields by its line and reads on', async () => {
    const path = await fileWith(
      'counts.csv',
      'a,b,c\r\n1,"x\r\ny",3\r\n\r\n4,5\r\n6,7,8\r\n9,10,11,12\r\n13,14,15\r\n',
    );
    const { records, problems } = await readAll(path);
    expect(records.map((r) => [r.line, r.values[0]])).toEqual([
      [1, 'a'],
      [2, '1'],
      [6, '6'],
      [8, '13'],
    ]);
    expect(problems).toEqual([
      { line: 5, code: 'wrong-column-count', message: 'has 2 fields where the header has 3: 4,5' },
      { line: 7, code: 'wrong-column-count', message: 'has 4 fields where the header has 3: 9,10,11,12' },
    ]);
  });

  test('reports a quote that is never closed', async () => {
    const path = await fileWith('quote.csv', 'a,b\n1,2\n3,"four\n5,6\n');
    const { problems } = await readAll(path);
    expect(problems).toEqual([
      {
        line: 3,
        code: 'unclosed-quote',
        message: expect.stringContaining('a quote opened here is never closed'),
      },
    ]);
  });

  test('stops at bytes that are not UTF-8 and names their line', async () => {
    const { records, problems } = await readAll(join(fixtures, 'not-utf8.csv'));
    expect(problems).toEqual([
      {
        line: 3,
        code: 'invalid-encoding',
        message: 'the file is not UTF-8 (byte 0xfc cannot be read); save it as "CSV UTF-8" and import again',
      },
    ]);
    expect(records.length).toBeLessThan(3);
  });

  test('reads UTF-16 files with a byte-order mark (Excel "Unicode text")', async () => {
    const text = '\uFEFFemail\tfirst_name\r\njurgen@muller.example\tJürgen\r\n';
    const bytes = new Uint8Array(text.length * 2);
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      bytes[index * 2] = code & 0xff;
      bytes[index * 2 + 1] = code >> 8;
    }
    const path = await fileWith('utf16.txt', bytes);
    const format = await detectCsvFormat(path);
    expect(format).toMatchObject({ encoding: 'utf-16le', bom: true, delimiter: '\t' });
    const { records, problems } = await readAll(path);
    expect(problems).toEqual([]);
    expect(records.map((r) => r.values)).toEqual([
      ['email', 'first_name'],
      ['jurgen@muller.example', 'Jürgen'],
    ]);
  });

  test('counts lines in a file larger than one read', async () => {
    const rows = Array.from({ length: 20_000 }, (_, index) => `${index},"name ${index}",x`);
    const path = await fileWith('large.csv', ['id,name,flag', ...rows, '20000,last'].join('\n'));
    const { records, problems } = await readAll(path);
    expect(records).toHaveLength(20_001);
    expect(records.at(-1)).toEqual({ line: 20_001, values: ['19999', 'name 19999', 'x'] });
    expect(problems).toEqual([
      {
        line: 20_002,
        code: 'wrong-column-count',
        message: 'has 2 fields where the header has 3: 20000,last',
      },
    ]);
  });
});

describe('formatCsvLine', () => {
  test('quotes what needs quoting', () => {
    expect(formatCsvLine(['7', 'a,b', 'say "hi"', 'two\nlines', ' padded', ''])).toBe(
      '7,"a,b","say ""hi""","two\nlines"," padded",\r\n',
    );
  });
});
