import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, LineCounter, parseDocument, stringify } from 'yaml';

/** The content format of content/README.md: one folder per course, `course.md` plus `NN-<name>.md` lessons. */
export const TRAINING_KINDS = ['initial', 'on_the_job', 'special_topic', 'practical'] as const;
export type TrainingKind = (typeof TRAINING_KINDS)[number];
export const COMPETENCIES = [
  'mass_work',
  'organising',
  'acting_by_law',
  'mediating',
  'emergencies',
  'communication',
  'information_technology',
] as const;
export type Competency = (typeof COMPETENCIES)[number];
export const LESSON_KINDS = ['reading', 'case_study', 'practical_task'] as const;
export type LessonKind = (typeof LESSON_KINDS)[number];
export const COURSE_STATUSES = ['draft', 'published', 'archived'] as const;
export type CourseStatus = (typeof COURSE_STATUSES)[number];
export const COURSE_POST_TYPES = ['head', 'deputy', 'other'] as const;
export const COURSE_LEVELS = ['none', 'assistant', 'social_worker', 'senior'] as const;

export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const LESSON_FILE = /^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$/;

/** What a version freezes: the texts, the hours and the lessons in order. */
export interface CourseContent {
  title: string;
  titleEn: string;
  summary: string;
  summaryEn: string;
  overview: string;
  hours: number;
  lessons: LessonContent[];
}

export interface LessonContent {
  /** File name without `.md`, e.g. `01-listen-to-each-side`: the lesson's stable name across versions. */
  key: string;
  module: string;
  moduleEn: string;
  title: string;
  titleEn: string;
  minutes: number;
  kind: LessonKind;
  markdown: string;
}

/** What belongs to the course itself and changes without a new version. */
export interface CourseMeta {
  slug: string;
  trainingKind: TrainingKind;
  competencies: Competency[];
  postTypes: string[];
  levels: string[];
  status: CourseStatus;
}

export interface CourseSource {
  meta: CourseMeta;
  content: CourseContent;
  /** The course.md path, for messages. */
  file: string;
}

export interface FileProblem {
  file: string;
  line: number;
  message: string;
}

interface FrontMatter {
  data: Record<string, unknown>;
  body: string;
  lineOf: (key: string) => number;
}

/** Splits `---\nyaml\n---\nbody` and parses the YAML with line numbers counted in the whole file. */
export function parseFrontMatter(
  file: string,
  text: string,
): { front?: FrontMatter; problems: FileProblem[] } {
  const source = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lines = source.split('\n');
  if (lines[0]?.trim() !== '---') {
    return {
      problems: [{ file, line: 1, message: 'the file must start with a front matter block (---)' }],
    };
  }
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (end === -1) {
    return {
      problems: [
        { file, line: lines.length, message: 'the front matter block is not closed with ---' },
      ],
    };
  }
  const yamlText = lines.slice(1, end).join('\n');
  const counter = new LineCounter();
  const doc = parseDocument(yamlText, {
    lineCounter: counter,
    prettyErrors: false,
    uniqueKeys: true,
  });
  // The YAML starts on the file's second line.
  const fileLine = (offset: number): number => counter.linePos(offset).line + 1;
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => ({
        file,
        // linePos is only filled with prettyErrors; the offset always is.
        line: fileLine(e.pos[0]),
        message: e.message.split('\n')[0] ?? 'YAML error',
      })),
    };
  }
  const data = doc.toJS() as unknown;
  if (!data || typeof data !== 'object' || Array.isArray(data) || !isMap(doc.contents)) {
    return { problems: [{ file, line: 2, message: 'the front matter must be a YAML mapping' }] };
  }
  const lineOf = (key: string): number => {
    const node = doc.get(key, true) as { range?: [number, number, number] } | undefined;
    if (node?.range) {
      return fileLine(node.range[0]);
    }
    const pair =
      doc.contents && isMap(doc.contents)
        ? doc.contents.items.find((p) => String((p.key as { value?: unknown })?.value) === key)
        : undefined;
    const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
    return range ? fileLine(range[0]) : end + 1;
  };
  const body = lines
    .slice(end + 1)
    .join('\n')
    .trim();
  return { front: { data: data as Record<string, unknown>, body, lineOf }, problems: [] };
}

type Check = (value: unknown) => string | null;

const text =
  (max: number, required = true): Check =>
  (v) => {
    if (v === undefined || v === null || v === '') {
      return required ? 'is required' : null;
    }
    if (typeof v !== 'string') {
      return 'must be text';
    }
    return v.length > max ? `must be at most ${max} characters` : null;
  };
const oneOf =
  (values: readonly string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? null : `must be one of ${values.join(', ')}`;
const listOf =
  (values: readonly string[], min: number): Check =>
  (v) => {
    if (!Array.isArray(v)) {
      return `must be a list of ${values.join(', ')}`;
    }
    if (v.length < min) {
      return `needs at least ${min} entry`;
    }
    const bad: unknown = (v as unknown[]).find((x) => typeof x !== 'string' || !values.includes(x));
    if (bad !== undefined) {
      return `${JSON.stringify(bad)} is not one of ${values.join(', ')}`;
    }
    return new Set(v).size === v.length ? null : 'has a duplicate entry';
  };

function validate(
  file: string,
  front: FrontMatter,
  rules: Record<string, Check>,
  problems: FileProblem[],
): void {
  for (const key of Object.keys(front.data)) {
    if (!(key in rules)) {
      problems.push({
        file,
        line: front.lineOf(key),
        message: `unknown field "${key}"; allowed: ${Object.keys(rules).join(', ')}`,
      });
    }
  }
  for (const [key, check] of Object.entries(rules)) {
    const message = check(front.data[key]);
    if (message) {
      problems.push({ file, line: front.lineOf(key), message: `${key} ${message}` });
    }
  }
}

const COURSE_RULES: Record<string, Check> = {
  slug: (v) =>
    typeof v === 'string' && SLUG.test(v) && v.length <= 80
      ? null
      : 'must be lower-case letters, digits and hyphens (at most 80)',
  title: text(200),
  titleEn: text(200),
  summary: text(1000, false),
  summaryEn: text(1000),
  trainingKind: oneOf(TRAINING_KINDS),
  hours: (v) =>
    typeof v === 'number' && v > 0 && v <= 500 && Number.isInteger(v * 2)
      ? null
      : 'must be a number of hours above 0, in steps of 0.5',
  competencies: listOf(COMPETENCIES, 1),
  postTypes: listOf(COURSE_POST_TYPES, 1),
  levels: listOf(COURSE_LEVELS, 1),
  status: oneOf(COURSE_STATUSES),
};

const LESSON_RULES: Record<string, Check> = {
  title: text(200),
  titleEn: text(200),
  minutes: (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 240
      ? null
      : 'must be a whole number of minutes from 1 to 240',
  kind: oneOf(LESSON_KINDS),
  module: text(200, false),
  moduleEn: text(200, false),
};

/** The catalogue summary: the front matter's `summary`, else the overview's first paragraph as plain text. */
export function firstParagraph(markdown: string): string {
  for (const block of markdown.split(/\n\s*\n/)) {
    const trimmed = block.trim();
    if (trimmed !== '' && !/^(#|\||[-*+] |\d+\. |>|```)/.test(trimmed)) {
      return trimmed.replace(/\s*\n\s*/g, ' ');
    }
  }
  return '';
}

export function parseCourseFile(
  file: string,
  source: string,
  folder: string,
): { meta?: CourseMeta; head?: Omit<CourseContent, 'lessons'>; problems: FileProblem[] } {
  const { front, problems } = parseFrontMatter(file, source);
  if (!front) {
    return { problems };
  }
  validate(file, front, COURSE_RULES, problems);
  if (typeof front.data.slug === 'string' && front.data.slug !== folder) {
    problems.push({
      file,
      line: front.lineOf('slug'),
      message: `slug "${front.data.slug}" must equal the folder name "${folder}"`,
    });
  }
  if (front.body === '') {
    problems.push({
      file,
      line: 1,
      message: 'the course needs an overview after the front matter',
    });
  }
  if (problems.length > 0) {
    return { problems };
  }
  const d = front.data as Record<string, never>;
  return {
    meta: {
      slug: d.slug,
      trainingKind: d.trainingKind,
      competencies: d.competencies,
      postTypes: d.postTypes,
      levels: d.levels,
      status: d.status,
    },
    head: {
      title: d.title,
      titleEn: d.titleEn,
      summary: d.summary ?? firstParagraph(front.body),
      summaryEn: d.summaryEn,
      overview: front.body,
      hours: d.hours,
    },
    problems,
  };
}

export function parseLessonFile(
  file: string,
  name: string,
  source: string,
): { lesson?: LessonContent; problems: FileProblem[] } {
  const match = LESSON_FILE.exec(name);
  if (!match) {
    return {
      problems: [
        {
          file,
          line: 1,
          message:
            'a lesson file is named NN-<name>.md (two digits, lower-case letters, digits, hyphens)',
        },
      ],
    };
  }
  const { front, problems } = parseFrontMatter(file, source);
  if (!front) {
    return { problems };
  }
  validate(file, front, LESSON_RULES, problems);
  if (front.body === '') {
    problems.push({ file, line: 1, message: 'the lesson has no text after the front matter' });
  }
  if (problems.length > 0) {
    return { problems };
  }
  const d = front.data as Record<string, never>;
  return {
    lesson: {
      key: name.replace(/\.md$/, ''),
      module: d.module ?? '',
      moduleEn: d.moduleEn ?? '',
      title: d.title,
      titleEn: d.titleEn,
      minutes: d.minutes,
      kind: d.kind,
      markdown: front.body,
    },
    problems,
  };
}

/** Reads and validates every course folder under `dir` (content/courses); nothing is stored. */
export function readCourseFolders(dir: string): {
  courses: CourseSource[];
  problems: FileProblem[];
} {
  let folders: string[];
  try {
    folders = readdirSync(dir)
      .filter((f) => statSync(join(dir, f)).isDirectory())
      .sort();
  } catch {
    return { courses: [], problems: [] };
  }
  const courses: CourseSource[] = [];
  const problems: FileProblem[] = [];
  for (const folder of folders) {
    const folderPath = join(dir, folder);
    const courseFile = join(folderPath, 'course.md');
    const names = readdirSync(folderPath)
      .filter((f) => f.endsWith('.md'))
      .sort();
    if (!names.includes('course.md')) {
      problems.push({ file: courseFile, line: 1, message: 'course.md is missing' });
      continue;
    }
    const course = parseCourseFile(courseFile, readFileSync(courseFile, 'utf8'), folder);
    problems.push(...course.problems);
    const lessons: LessonContent[] = [];
    for (const name of names.filter((n) => n !== 'course.md')) {
      const file = join(folderPath, name);
      const parsed = parseLessonFile(file, name, readFileSync(file, 'utf8'));
      problems.push(...parsed.problems);
      if (parsed.lesson) {
        const twin = lessons.find((l) => l.key.slice(0, 2) === parsed.lesson?.key.slice(0, 2));
        if (twin) {
          problems.push({
            file,
            line: 1,
            message: `the number ${name.slice(0, 2)} is also used by ${twin.key}.md`,
          });
        }
        lessons.push(parsed.lesson);
      }
    }
    if (course.meta && course.head) {
      if (lessons.length === 0 && course.meta.status !== 'draft') {
        problems.push({
          file: courseFile,
          line: 1,
          message: 'a published course needs at least one lesson file NN-<name>.md',
        });
      }
      courses.push({ meta: course.meta, content: { ...course.head, lessons }, file: courseFile });
    }
  }
  return { courses, problems };
}

const yamlValue = (value: unknown): string =>
  stringify(value, { lineWidth: 0, flowCollectionPadding: false }).trimEnd();

function frontMatter(fields: Array<[string, unknown]>): string {
  const lines = fields
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => (Array.isArray(v) ? `${k}: [${v.join(', ')}]` : `${k}: ${yamlValue(v)}`));
  return `---\n${lines.join('\n')}\n---\n`;
}

/** The files of one course in the import format, so that import(export(x)) gives x back. */
export function serializeCourse(meta: CourseMeta, content: CourseContent): Map<string, string> {
  const files = new Map<string, string>();
  const summaryIsFirstParagraph = firstParagraph(content.overview) === content.summary;
  files.set(
    'course.md',
    `${frontMatter([
      ['slug', meta.slug],
      ['title', content.title],
      ['titleEn', content.titleEn],
      ['summary', summaryIsFirstParagraph ? undefined : content.summary],
      ['summaryEn', content.summaryEn],
      ['trainingKind', meta.trainingKind],
      ['hours', content.hours],
      ['competencies', meta.competencies],
      ['postTypes', meta.postTypes],
      ['levels', meta.levels],
      ['status', meta.status],
    ])}\n${content.overview}\n`,
  );
  for (const lesson of content.lessons) {
    files.set(
      `${lesson.key}.md`,
      `${frontMatter([
        ['title', lesson.title],
        ['titleEn', lesson.titleEn],
        ['minutes', lesson.minutes],
        ['kind', lesson.kind],
        ['module', lesson.module],
        ['moduleEn', lesson.moduleEn],
      ])}\n${lesson.markdown}\n`,
    );
  }
  return files;
}

/** A fingerprint of a version's content: equal fingerprints mean nothing to publish. */
export function contentChecksum(content: CourseContent): string {
  const canonical = {
    title: content.title,
    titleEn: content.titleEn,
    summary: content.summary,
    summaryEn: content.summaryEn,
    overview: content.overview,
    hours: content.hours,
    lessons: content.lessons.map((l) => [
      l.key,
      l.module,
      l.moduleEn,
      l.title,
      l.titleEn,
      l.minutes,
      l.kind,
      l.markdown,
    ]),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** `name` part of a lesson key (`01-listen-to-each-side` -> `listen-to-each-side`). */
export function lessonName(key: string): string {
  return key.replace(/^\d{2}-/, '');
}

/** Keys follow the lessons' order, so exported file names sort as the lessons do. */
export function renumberKeys(lessons: LessonContent[]): LessonContent[] {
  const used = new Set<string>();
  return lessons.map((l, i) => {
    let name = lessonName(l.key) || 'lesson';
    while (used.has(name)) {
      name = `${name}-${i + 1}`;
    }
    used.add(name);
    return { ...l, key: `${String(i + 1).padStart(2, '0')}-${name}` };
  });
}

/** A file-name-safe name from an English title (`Step one: listen` -> `step-one-listen`). */
export function nameFromTitle(title: string): string {
  const name = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return name || 'lesson';
}
