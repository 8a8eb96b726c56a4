import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  contentChecksum,
  firstParagraph,
  parseFrontMatter,
  parseLessonFile,
  readCourseFolders,
  renumberKeys,
  serializeCourse,
} from './course-files';

const LESSON = [
  '---',
  'title: 第一步',
  'titleEn: "Step one: listen"',
  'minutes: 20',
  'kind: reading',
  'module: 准备',
  'moduleEn: Before',
  '---',
  '',
  '## 正文',
  '',
  '内容。',
  '',
].join('\n');
const COURSES = join(__dirname, '..', '..', 'content', 'courses');

describe('course files', () => {
  it('reads a lesson: front matter fields, key from the file name and the body', () => {
    const { lesson, problems } = parseLessonFile('x/01-listen.md', '01-listen.md', LESSON);
    expect(problems).toEqual([]);
    expect(lesson).toEqual({
      key: '01-listen',
      title: '第一步',
      titleEn: 'Step one: listen',
      minutes: 20,
      kind: 'reading',
      module: '准备',
      moduleEn: 'Before',
      markdown: '## 正文\n\n内容。',
    });
  });

  it('names the file line of a YAML syntax error (counting the opening ---)', () => {
    const broken = LESSON.replace('minutes: 20', 'minutes: [20');
    const { problems } = parseFrontMatter('f.md', broken);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.file).toBe('f.md');
    expect(problems[0]?.line).toBeGreaterThanOrEqual(4);
  });

  it('names the line of a field with a wrong value and of an unknown field', () => {
    const { problems } = parseLessonFile(
      'f.md',
      '01-a.md',
      LESSON.replace('kind: reading', 'kind: lecture').replace('module: 准备', 'modul: 准备'),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          line: 5,
          message: expect.stringContaining('kind must be one of'),
        }),
        expect.objectContaining({
          line: 6,
          message: expect.stringContaining('unknown field "modul"'),
        }),
      ]),
    );
  });

  it('refuses a missing field, a bad file name and a file without front matter', () => {
    expect(
      parseLessonFile('f.md', '01-a.md', LESSON.replace('minutes: 20\n', '')).problems[0]?.message,
    ).toContain('minutes');
    expect(parseLessonFile('f.md', 'lesson.md', LESSON).problems[0]?.message).toContain(
      'NN-<name>.md',
    );
    expect(parseLessonFile('f.md', '01-a.md', '# no front matter').problems).toEqual([
      expect.objectContaining({ line: 1 }),
    ]);
    expect(parseFrontMatter('f.md', '---\ntitle: a\n').problems[0]?.message).toContain(
      'not closed',
    );
  });

  it('takes the summary from the first paragraph of the overview, skipping headings and lists', () => {
    expect(firstParagraph('## 标题\n\n- 列表\n\n第一段\n第二行\n\n第二段')).toBe('第一段 第二行');
  });

  it('reads every demo course without a problem', () => {
    const { courses, problems } = readCourseFolders(COURSES);
    expect(problems).toEqual([]);
    expect(courses.length).toBeGreaterThanOrEqual(8);
    expect(courses.every((c) => c.content.lessons.length >= 3)).toBe(true);
  });

  it('writes a course back so that reading it again gives the same course', () => {
    const dir = mkdtempSync(join(tmpdir(), 'course-files-'));
    try {
      const { courses } = readCourseFolders(COURSES);
      for (const course of courses) {
        const folder = join(dir, course.meta.slug);
        for (const [name, text] of serializeCourse(course.meta, course.content)) {
          mkdirSync(folder, { recursive: true });
          writeFileSync(join(folder, name), text);
        }
      }
      const again = readCourseFolders(dir);
      expect(again.problems).toEqual([]);
      expect(again.courses.map((c) => [c.meta, contentChecksum(c.content)])).toEqual(
        courses.map((c) => [c.meta, contentChecksum(c.content)]),
      );
      // A summary that is not the first paragraph survives through the `summary` field.
      const first = courses[0];
      const files = serializeCourse(first.meta, { ...first.content, summary: '另写的简介' });
      expect(files.get('course.md')).toContain('summary: 另写的简介');
      expect(readFileSync(join(dir, first.meta.slug, 'course.md'), 'utf8')).not.toContain(
        '\nsummary:',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renumbers lesson keys to follow the order and keeps names unique', () => {
    const base = {
      module: '',
      moduleEn: '',
      title: 't',
      titleEn: '',
      minutes: 5,
      kind: 'reading' as const,
      markdown: 'x',
    };
    const keys = renumberKeys([
      { ...base, key: '03-b' },
      { ...base, key: '01-a' },
      { ...base, key: '00-a' },
    ]).map((l) => l.key);
    expect(keys).toEqual(['01-b', '02-a', '03-a-3']);
  });
});
