import { DateTime } from 'luxon';
import { CurriculumService } from '../curriculum/curriculum.service';
import type { DemoContext, DemoStep } from '../demo/demo.service';
import { EnrolmentEntity } from './enrolment.entity';
import { EnrolmentService } from './enrolment.service';
import { LedgerService } from './ledger.service';
import { LessonProgressService } from './lesson-progress.service';

/**
 * Demo progress so that home pages, transcripts and reports have something to show: the demo cadre finished one
 * course and is half-way through another, and about half of the other people have studied a little.
 */
export function learningDemoStep(
  curriculum: CurriculumService,
  enrolments: EnrolmentService,
  progress: LessonProgressService,
): DemoStep {
  return {
    name: 'enrolments and study progress',
    order: 10,
    run: async (ctx: DemoContext) => {
      const m = ctx.manager;
      const now = DateTime.now();
      const study = async (
        userId: string,
        slug: string,
        lessonsDone: number,
        daysAgo: number,
        assignedBy: string | null,
        dueInDays: number | null,
      ): Promise<void> => {
        const course = await curriculum.findCourse(slug);
        if (!course?.versionId) {
          return;
        }
        const enrolment: EnrolmentEntity = await enrolments.enrolIn(m, {
          userId,
          courseId: course.id,
          versionId: course.versionId,
          assignedBy,
          dueDate: dueInDays === null ? null : (now.plus({ days: dueInDays }).toISODate() ?? null),
        });
        const outline = await curriculum.outline(course.versionId);
        const lessons = (outline?.lessons ?? []).slice(0, lessonsDone);
        for (const [i, summary] of lessons.entries()) {
          const lesson = await curriculum.lessonDetail(summary.id);
          // Spread over the days since enrolment, never in the future, and in this year where possible.
          const at = DateTime.max(
            now.minus({ days: Math.max(daysAgo - i * 2, 0), hours: 2 }),
            now.startOf('year').plus({ hours: 10 + i }),
          ).toJSDate();
          if (lesson) {
            await progress.completeIn(m, userId, lesson, at > now.toJSDate() ? now.toJSDate() : at);
          }
        }
        if (lessons.length > 0) {
          await m.getRepository(EnrolmentEntity).update(
            { id: enrolment.id },
            {
              startedAt: enrolment.enrolledAt,
              lastLessonId: lessons[lessons.length - 1]?.id ?? null,
            },
          );
        }
      };
      const { cadre, secretary } = ctx.accounts;
      await study(cadre.id, 'first-30-days', 99, 12, secretary.id, 20);
      await study(cadre.id, 'neighbour-mediation', 2, 4, null, null);
      await study(cadre.id, 'digital-grid-management', 0, 0, secretary.id, 30);
      await study(secretary.id, 'party-study-day', 99, 20, null, null);
      await study(secretary.id, 'residents-committee-law', 3, 8, null, null);
      const slugs = [
        'door-to-door-mass-work',
        'neighbour-mediation',
        'community-emergency-drill',
        'social-work-basics',
        'residents-committee-law',
      ];
      const accounts = new Set(Object.values(ctx.accounts).map((a) => a.id));
      const others = ctx.people.filter((p) => !accounts.has(p.id));
      for (const [i, person] of others.entries()) {
        if (i % 2 === 1) {
          continue;
        }
        await study(
          person.id,
          slugs[i % slugs.length],
          (i % 5) + 1,
          10 + (i % 20),
          i % 4 === 0 ? secretary.id : null,
          i % 4 === 0 ? 14 + i : null,
        );
      }
    },
  };
}

/**
 * Registered social workers part-way through their registration period: continuing-education hours recorded from
 * outside trainings (the kind a street social-work station runs), some on pace and some behind, so the
 * qualification view and the "falling behind" list show a realistic spread.
 */
export function continuingEducationDemoStep(ledger: LedgerService): DemoStep {
  return {
    name: 'continuing-education history',
    order: 15,
    run: async (ctx: DemoContext) => {
      const registered = ctx.people.filter(
        (p) => p.qualificationLevel !== 'none' && p.registrationStart,
      );
      for (const [i, person] of registered.entries()) {
        const start = DateTime.fromISO(person.registrationStart as string, {
          zone: 'Asia/Shanghai',
        });
        const elapsedDays = Math.max(1, Math.floor(DateTime.now().diff(start, 'days').days));
        // Every third person is behind; the others have one 6-hour training per ~4 months of the period so far.
        const trainings = i % 3 === 0 ? 1 : Math.max(1, Math.floor(elapsedDays / 120));
        for (let k = 0; k < trainings; k++) {
          await ledger.credit(ctx.manager, {
            userId: person.id,
            activityType: 'manual',
            activityId: `demo-ce-${person.id}-${k}`,
            trainingKind: 'on_the_job',
            occurredAt: start
              .plus({ days: Math.floor(((k + 1) * elapsedDays) / (trainings + 1)) })
              .toJSDate(),
            title: k % 2 === 0 ? '街道社工站继续教育专题讲座' : '区社会工作协会实务研修',
            courseSlug: null,
            basis: { hours: 6 },
          });
        }
      }
    },
  };
}
