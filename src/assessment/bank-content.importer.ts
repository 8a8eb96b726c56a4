import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EntityManager } from 'typeorm';
import { ContentImporter, ContentProblem } from '../content/content-import.service';
import { QuestionBankEntity, QuizEntity } from './assessment.entities';
import { BanksService } from './banks.service';
import { CourseLinks } from './course-links';
import { BankFileMeta, parseBankMarkdown, ParsedQuestion } from './formats';
import { newId } from '../common/ids';

interface BankFilePlan {
  file: string;
  hash: string;
  meta: BankFileMeta;
  questions: ParsedQuestion[];
}

/**
 * `content/banks/*.md`: one bank per file and the quizzes of its front matter. Runs after the courses
 * (order 20) because quizzes point at them; an unchanged file changes nothing.
 */
@Injectable()
export class BankContentImporter implements ContentImporter<BankFilePlan[]> {
  readonly name = 'banks';
  readonly order = 20;

  constructor(
    private readonly banks: BanksService,
    private readonly courses: CourseLinks,
  ) {}

  async read(
    dir: string,
  ): Promise<{ plan: BankFilePlan[]; problems: ContentProblem[]; items: number }> {
    const folder = join(dir, 'banks');
    const plan: BankFilePlan[] = [];
    const problems: ContentProblem[] = [];
    if (!existsSync(folder)) {
      return { plan, problems, items: 0 };
    }
    const bankSlugs = new Map<string, string>();
    const quizSlugs = new Map<string, string>();
    for (const name of readdirSync(folder)
      .filter((f) => f.endsWith('.md'))
      .sort()) {
      const file = `banks/${name}`;
      const source = readFileSync(join(folder, name), 'utf8');
      const parsed = parseBankMarkdown(source, name);
      problems.push(...parsed.errors.map((e) => ({ file, line: e.line, message: e.message })));
      const meta = parsed.meta;
      if (!meta) {
        continue;
      }
      const problem = (message: string): void => {
        problems.push({ file, line: 1, message });
      };
      if (bankSlugs.has(meta.slug)) {
        problem(`bank slug "${meta.slug}" is also used by ${bankSlugs.get(meta.slug)}`);
      }
      bankSlugs.set(meta.slug, file);
      const courseDir = join(dir, 'courses', meta.course);
      if (!existsSync(join(courseDir, 'course.md'))) {
        problem(`course "${meta.course}" does not exist (no courses/${meta.course}/course.md)`);
      }
      for (const quiz of meta.quizzes) {
        if (quizSlugs.has(quiz.slug)) {
          problem(`quiz slug "${quiz.slug}" is also used by ${quizSlugs.get(quiz.slug)}`);
        }
        quizSlugs.set(quiz.slug, file);
        if (quiz.lesson && !existsSync(join(courseDir, `${quiz.lesson}.md`))) {
          problem(
            `quiz "${quiz.slug}": lesson "${quiz.lesson}" is not a lesson of course "${meta.course}"`,
          );
        }
        const pool = parsed.questions.filter(
          (q) => quiz.tags.length === 0 || q.tags.some((t) => quiz.tags.includes(t)),
        );
        if (pool.length === 0) {
          problem(
            `quiz "${quiz.slug}": no question carries one of the tags ${quiz.tags.join(', ')}`,
          );
        }
      }
      plan.push({
        file,
        hash: createHash('sha256').update(source).digest('hex'),
        meta,
        questions: parsed.questions,
      });
    }
    return { plan, problems, items: plan.length };
  }

  async apply(
    plan: BankFilePlan[],
    m: EntityManager,
    tick: () => void,
  ): Promise<{ changed: number; unchanged: number }> {
    let changed = 0;
    let unchanged = 0;
    for (const item of plan) {
      if (await this.applyOne(item, m)) {
        changed += 1;
      } else {
        unchanged += 1;
      }
      tick();
    }
    return { changed, unchanged };
  }

  private async applyOne(item: BankFilePlan, m: EntityManager): Promise<boolean> {
    const repo = m.getRepository(QuestionBankEntity);
    const now = new Date();
    let bank = await repo.findOneBy({ slug: item.meta.slug });
    if (bank && bank.sourceHash === item.hash) {
      return false;
    }
    const course = await this.courses.course(item.meta.course, m);
    if (!course) {
      throw new Error(`${item.file}: course "${item.meta.course}" was not imported`);
    }
    if (!bank) {
      bank = repo.create({
        id: newId(),
        slug: item.meta.slug,
        name: item.meta.name,
        nameEn: item.meta.nameEn,
        orgId: null,
        courseSlug: item.meta.course,
        sourceHash: item.hash,
        createdBy: null,
        createdAt: now,
        updatedAt: now,
      });
      await repo.insert(bank);
    } else {
      await repo.update(
        { id: bank.id },
        {
          name: item.meta.name,
          nameEn: item.meta.nameEn,
          courseSlug: item.meta.course,
          sourceHash: item.hash,
          updatedAt: now,
        },
      );
    }
    await this.banks.syncQuestions(m, bank.id, item.questions);
    const quizzes = m.getRepository(QuizEntity);
    for (const meta of item.meta.quizzes) {
      const lesson = meta.lesson
        ? await this.courses.lessonByKey(course.slug, meta.lesson, m)
        : null;
      if (meta.lesson && !lesson) {
        throw new Error(
          `${item.file}: lesson "${meta.lesson}" of course "${course.slug}" was not imported`,
        );
      }
      const settings = {
        bankId: bank.id,
        courseId: course.id,
        courseSlug: course.slug,
        lessonId: lesson?.id ?? null,
        orgId: course.orgId,
        title: meta.title,
        titleEn: meta.titleEn,
        questionCount: meta.questionCount ?? null,
        tags: meta.tags,
        passMark: meta.passMark,
        timeLimitSeconds: meta.timeLimitMinutes ? meta.timeLimitMinutes * 60 : null,
        attemptsAllowed: meta.attemptsAllowed ?? null,
        shuffleQuestions: meta.shuffle,
        shuffleOptions: meta.shuffle,
        review: meta.review,
        // A practice quiz is one lesson's worth: one page; a longer final test goes one question per screen.
        layout: meta.lesson ? ('all' as const) : ('one' as const),
        updatedAt: now,
      };
      const existing = await quizzes.findOneBy({ slug: meta.slug });
      if (existing) {
        await quizzes.update({ id: existing.id }, settings);
      } else {
        await quizzes.insert(
          quizzes.create({
            id: newId(),
            slug: meta.slug,
            ...settings,
            opensAt: null,
            closesAt: null,
            reviewWhen: 'immediately',
            createdBy: null,
            createdAt: now,
          }),
        );
      }
    }
    return true;
  }
}
