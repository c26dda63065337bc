/**
 * Code comments cite docs/partner-api.md by section number (`docs/partner-api.md §3.1`, or just
 * `§8`). This test keeps those citations true, and keeps comments from pointing at documents that
 * are not in the repository.
 *
 * (a) Every partner-api.md section cited in a .ts file under src/ or test/ exists: the document
 *     has a Markdown heading whose text starts with that number (`## §3 …`, `### §3.1 …`).
 * (b) No .ts file under src/ or test/ names the research notes or the task text the code was
 *     first written from (the phrases in OUTSIDE_DOCUMENTS, matched case-insensitively): neither
 *     is in the repository. Cite docs/partner-api.md, docs/architecture.md or the README instead.
 *
 * Which `§` is a partner-api.md citation. The code also cites sections of other documents
 * (RFC 9110 §13.1.1, RFC 6585 §3, RFC 6750 §2.1, RFC 6901 §4, BCP 47 §4.4.1, RFC 5321 §4.5.3.1.3,
 * and RFC 2104 §5 with "RFC" at the end of the line above), so each `§` followed by a number is
 * classified by the text before it on its own line, first rule that applies:
 *
 * 1. right after `partner-api.md` → partner-api.md;
 * 2. right after another file name ending in `.md` (as in `architecture.md §2`) → that file;
 *    not checked here;
 * 3. separated from the previous `§` citation on the line only by spaces, commas, `and`, `or`,
 *    `&` or `/` (`§0.5, §7`; `RFC 9110 §15.5.9 and §15.5.10`) → the same document as that one;
 * 4. right after a number: a document's number (`RFC 9110 §…`, `BCP 47 §…`, `ISO 8601-1 §…`), or
 *    a bare one whose document name ended the line above (`2104 §5`) → that other document; not
 *    checked here;
 * 5. anything else (`(§9)`, `see §3.1`, a bare `§8` opening a line) → partner-api.md.
 *
 * A range such as `§0.2–3` cites §0.2 and §0.3. A list of another document's sections that
 * continues on the next line counts as partner-api.md there: repeat the document's name. Text in
 * comments, strings and code counts alike.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PARTNER_API_DOC = 'docs/partner-api.md';

/** Documents outside the repository that code must not cite (written in parts so this file does not match). */
const OUTSIDE_DOCUMENTS = [
  ['fact', 'sheet'],
  ['the', 'brief'],
].map((words) => words.join(' '));

type Document = 'partner-api' | 'other';

interface Citation {
  /** The section number, e.g. `3.1`. */
  readonly section: string;
  readonly document: Document;
}

/** `§` + a section number, optionally a range of its last component (`§0.2–3`). */
const SECTION_SIGN = /§\s*(\d+(?:\.\d+)*)(?:\s*[–-]\s*(\d+)(?![.\d]))?/g;
/** What may join two citations of one document on a line. */
const CHAIN = /^(?:\s|,|&|\/|\band\b|\bor\b)*$/;

/** Every `§` citation on one line, classified by the rules in the header comment, ranges expanded. */
function citationsIn(line: string): Citation[] {
  const found: Citation[] = [];
  let previous: { end: number; document: Document } | undefined;
  for (const match of line.matchAll(SECTION_SIGN)) {
    const start = match.index;
    const before = line.slice(0, start).trimEnd();
    let document: Document;
    if (/partner-api\.md$/i.test(before)) document = 'partner-api';
    else if (/\.md$/i.test(before)) document = 'other';
    else if (previous !== undefined && CHAIN.test(line.slice(previous.end, start)))
      document = previous.document;
    else if (/\d$/.test(before)) document = 'other';
    else document = 'partner-api';
    previous = { end: start + match[0].length, document };

    const section = match[1] as string;
    const rangeEnd = match[2];
    const parts = section.split('.');
    const first = Number(parts.at(-1));
    const last = rangeEnd === undefined ? first : Number(rangeEnd);
    if (last < first || last - first > 50) {
      found.push({ section, document });
      continue;
    }
    for (let n = first; n <= last; n += 1) {
      found.push({ section: [...parts.slice(0, -1), String(n)].join('.'), document });
    }
  }
  return found;
}

/** The section numbers of docs/partner-api.md: headings whose text starts with `§N` or `§N.M`. */
function headingSections(markdown: string): Set<string> {
  const sections = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^#{1,6}\s+§(\d+(?:\.\d+)*)/.exec(line);
    if (heading) sections.add(heading[1] as string);
  }
  return sections;
}

interface SourceLine {
  /** `src/upstream/httpClient.ts:138` */
  readonly where: string;
  readonly text: string;
}

function sourceLines(): SourceLine[] {
  const lines: SourceLine[] = [];
  for (const top of ['src', 'test']) {
    const dir = join(ROOT, top);
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts') && !name.split(/[\\/]/).includes('node_modules'))
      .sort();
    for (const name of files) {
      const path = join(dir, name);
      const file = relative(ROOT, path).split('\\').join('/');
      readFileSync(path, 'utf8')
        .split('\n')
        .forEach((text, index) => {
          lines.push({ where: `${file}:${index + 1}`, text });
        });
    }
  }
  return lines;
}

const LINES = sourceLines();
const HEADINGS = headingSections(readFileSync(join(ROOT, PARTNER_API_DOC), 'utf8'));

describe('how a § citation is read', () => {
  test.each([
    ['see docs/partner-api.md §3.1', [{ section: '3.1', document: 'partner-api' }]],
    ['(partner-api.md §8)', [{ section: '8', document: 'partner-api' }]],
    [' * §5.3: observed as a string', [{ section: '5.3', document: 'partner-api' }]],
    [
      'auth (§9), answers (§4)',
      [
        { section: '9', document: 'partner-api' },
        { section: '4', document: 'partner-api' },
      ],
    ],
    [
      '(RFC 9110 §13.1.1; the body must match, §7)',
      [
        { section: '13.1.1', document: 'other' },
        { section: '7', document: 'partner-api' },
      ],
    ],
    ["RFC 6750 §2.1's b64token", [{ section: '2.1', document: 'other' }]],
    ['BCP 47 §4.4.1 asks for 35 characters', [{ section: '4.4.1', document: 'other' }]],
    ['RFC 5321 §4.5.3.1.3: a forward path', [{ section: '4.5.3.1.3', document: 'other' }]],
    [' * 2104 §5 allows) with the key', [{ section: '5', document: 'other' }]],
    [
      'RFC 9110 §15.5.9 and §15.5.10',
      [
        { section: '15.5.9', document: 'other' },
        { section: '15.5.10', document: 'other' },
      ],
    ],
    [
      '(§0.5, §7 [S9])',
      [
        { section: '0.5', document: 'partner-api' },
        { section: '7', document: 'partner-api' },
      ],
    ],
    [
      'a PUT (§0.2–3, §3.4)',
      [
        { section: '0.2', document: 'partner-api' },
        { section: '0.3', document: 'partner-api' },
        { section: '3.4', document: 'partner-api' },
      ],
    ],
    ['the layers (architecture.md §2)', [{ section: '2', document: 'other' }]],
    ['no section here: § alone, §N', []],
  ])('%s', (line, expected) => {
    expect(citationsIn(line)).toEqual(expected);
  });

  test('a section docs/partner-api.md lacks is noticed', () => {
    const missing = `${'§'}42.7`;
    expect(citationsIn(`see ${missing}`).filter((c) => !HEADINGS.has(c.section))).toEqual([
      { section: '42.7', document: 'partner-api' },
    ]);
  });
});

describe(`${PARTNER_API_DOC} keeps its numbering`, () => {
  test('sections 0 to 11 are headings', () => {
    const top = Array.from({ length: 12 }, (_, n) => String(n));
    expect(top.filter((section) => !HEADINGS.has(section))).toEqual([]);
  });
});

describe('citations in src/ and test/', () => {
  test(`every cited section of ${PARTNER_API_DOC} exists`, () => {
    const cited = LINES.flatMap((line) =>
      citationsIn(line.text)
        .filter((citation) => citation.document === 'partner-api')
        .map((citation) => ({ ...citation, where: line.where })),
    );
    // The scan must find the code's citations, or this test would pass on nothing.
    expect(cited.length).toBeGreaterThan(20);
    const dangling = cited
      .filter((citation) => !HEADINGS.has(citation.section))
      .map(
        (citation) =>
          `${citation.where}: §${citation.section} is not a heading of ${PARTNER_API_DOC} (add "### §${citation.section} …" or fix the citation)`,
      );
    expect(dangling).toEqual([]);
  });

  test('no file cites documents outside the repository', () => {
    const offending = LINES.filter((line) => {
      const lower = line.text.toLowerCase();
      return OUTSIDE_DOCUMENTS.some((phrase) => lower.includes(phrase));
    }).map((line) => `${line.where}: ${line.text.trim()}`);
    expect(offending).toEqual([]);
  });
});
