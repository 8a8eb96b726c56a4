import { createHash } from 'node:crypto';
import { isMap, isScalar, isSeq, LineCounter, Node, parseDocument } from 'yaml';

export interface PolicyProblem {
  file: string;
  line: number;
  message: string;
}

export interface ParsedPolicy {
  key: string;
  title: string;
  titleEn: string | null;
  body: Record<string, unknown>;
  checksum: string;
  file: string;
}

/** Validates one policy document's body beyond the shared rules; returns problems as [yaml path, message]. */
export type PolicySchema = (
  body: Record<string, unknown>,
) => Array<[Array<string | number>, string]>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Every number in a policy file must say where it comes from: an object holding a number needs `source` and
 * `effectiveFrom`, on itself or on an enclosing object.
 */
function checkSources(
  node: Node | null,
  path: Array<string | number>,
  inherited: boolean,
  out: Array<[Array<string | number>, string]>,
): void {
  if (isMap(node)) {
    const keys = new Map(
      node.items.map((p) => [
        String((p.key as { value?: string | number } | null)?.value ?? ''),
        p.value as Node | null,
      ]),
    );
    const source = keys.get('source');
    const effective = keys.get('effectiveFrom');
    const hasOwn =
      isScalar(source) &&
      typeof source.value === 'string' &&
      source.value.trim() !== '' &&
      isScalar(effective);
    if (isScalar(effective) && !DATE.test(String(effective.value))) {
      out.push([[...path, 'effectiveFrom'], 'effectiveFrom must be a date YYYY-MM-DD']);
    }
    const covered = inherited || hasOwn;
    for (const [k, v] of keys) {
      if (isScalar(v) && typeof v.value === 'number' && !covered) {
        out.push([
          [...path, k],
          `the number ${k} needs a source and effectiveFrom (here or on an enclosing entry)`,
        ]);
      }
      checkSources(v, [...path, k], covered, out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => checkSources(item as Node, [...path, i], inherited, out));
  }
}

function lineOf(
  doc: ReturnType<typeof parseDocument>,
  counter: LineCounter,
  path: Array<string | number>,
): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as Node | undefined;
    if (node && typeof node === 'object' && node.range) {
      return counter.linePos(node.range[0]).line;
    }
  }
  return 1;
}

export function parsePolicyFile(
  file: string,
  source: string,
  schemas: ReadonlyMap<string, PolicySchema>,
): { policy?: ParsedPolicy; problems: PolicyProblem[] } {
  const counter = new LineCounter();
  const doc = parseDocument(source, {
    lineCounter: counter,
    prettyErrors: false,
    uniqueKeys: true,
  });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => ({
        file,
        line: counter.linePos(e.pos[0]).line,
        message: e.message.split('\n')[0] ?? 'YAML error',
      })),
    };
  }
  const body = doc.toJS() as unknown;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return { problems: [{ file, line: 1, message: 'a policy file must be a YAML mapping' }] };
  }
  const record = body as Record<string, unknown>;
  const found: Array<[Array<string | number>, string]> = [];
  if (typeof record.key !== 'string' || !/^[a-z0-9-]+$/.test(record.key)) {
    found.push([['key'], 'key is required: lower-case letters, digits and hyphens']);
  }
  if (typeof record.title !== 'string' || record.title.trim() === '') {
    found.push([['title'], 'title is required']);
  }
  checkSources(doc.contents, [], false, found);
  const schema = typeof record.key === 'string' ? schemas.get(record.key) : undefined;
  if (typeof record.key === 'string' && !schema) {
    found.push([
      ['key'],
      `unknown policy key "${record.key}"; known: ${[...schemas.keys()].join(', ')}`,
    ]);
  }
  if (schema) {
    found.push(...schema(record));
  }
  if (found.length > 0) {
    return {
      problems: found.map(([path, message]) => ({
        file,
        line: lineOf(doc, counter, path),
        message,
      })),
    };
  }
  const { key, title, titleEn, ...rest } = record as {
    key: string;
    title: string;
    titleEn?: string;
  };
  return {
    policy: {
      key,
      title,
      titleEn: titleEn ?? null,
      body: rest,
      checksum: createHash('sha256').update(source).digest('hex'),
      file,
    },
    problems: [],
  };
}
