import type { Lang } from '../common/i18n/i18n';
import type { CourseSettings, DraftView, LessonInput } from './course-authoring.service';
import {
  COMPETENCIES,
  COURSE_LEVELS,
  COURSE_POST_TYPES,
  LESSON_KINDS,
  TRAINING_KINDS,
} from './course-files';
import { CurriculumException } from './curriculum.exception';
import type { CourseFormDto, LessonFormDto } from './dto/course.dto';

const options = (all: readonly string[], chosen: readonly string[]) =>
  all.map((value) => ({ value, checked: chosen.includes(value) }));

export function toAuthorIndex(list: DraftView[], lang: Lang) {
  return {
    courses: list.map((c) => ({
      slug: c.slug,
      title: lang === 'en' ? c.titleEn || c.title : c.title,
      status: c.status,
      version: c.version,
      trainingKind: c.trainingKind,
      lessonCount: c.modules.reduce((n, m) => n + m.lessons.length, 0),
      hasUnpublishedChanges: c.hasUnpublishedChanges && c.status !== 'draft',
      updatedAt: c.updatedAt,
    })),
  };
}

export function toCourseSettings(draft: DraftView | null) {
  return {
    slug: draft?.slug ?? '',
    title: draft?.title ?? '',
    titleEn: draft?.titleEn ?? '',
    summary: draft?.summary ?? '',
    summaryEn: draft?.summaryEn ?? '',
    overview: draft?.overview ?? '',
    hours: draft?.hours ?? 1,
    kinds: TRAINING_KINDS.map((value) => ({
      value,
      selected: (draft?.trainingKind ?? 'on_the_job') === value,
    })),
    competencies: options(COMPETENCIES, draft?.competencies ?? []),
    postTypes: options(COURSE_POST_TYPES, draft?.postTypes ?? [...COURSE_POST_TYPES]),
    levels: options(COURSE_LEVELS, draft?.levels ?? ['none']),
    revision: draft?.revision ?? '',
  };
}

export function toAuthorCoursePage(draft: DraftView) {
  const lessons = draft.modules.flatMap((m) =>
    m.lessons.map((l) => ({ ...l, moduleTitle: m.title })),
  );
  return {
    slug: draft.slug,
    status: draft.status,
    version: draft.version,
    hasUnpublishedChanges: draft.hasUnpublishedChanges,
    canPublish: lessons.length > 0 && (draft.hasUnpublishedChanges || draft.status !== 'published'),
    canArchive: draft.status !== 'archived',
    form: toCourseSettings(draft),
    lessons: lessons.map((l, i) => ({
      key: l.key,
      title: l.title,
      titleEn: l.titleEn,
      minutes: l.minutes,
      kind: l.kind,
      module: l.module,
      first: i === 0,
      last: i === lessons.length - 1,
    })),
  };
}

export function toLessonForm(
  draft: DraftView,
  key: string | null,
  form: LessonFormDto | null,
  previewHtml: string | null,
) {
  const existing = key
    ? draft.modules.flatMap((m) => m.lessons).find((l) => l.key === key)
    : undefined;
  if (key && !existing) {
    throw new CurriculumException('LESSON_NOT_FOUND');
  }
  const lastModule = draft.modules[draft.modules.length - 1];
  const lesson = {
    title: form?.title ?? existing?.title ?? '',
    titleEn: form?.titleEn ?? existing?.titleEn ?? '',
    minutes: form?.minutes ?? existing?.minutes ?? 20,
    kind: form?.kind ?? existing?.kind ?? 'reading',
    module: form?.module ?? existing?.module ?? lastModule?.title ?? '',
    moduleEn: form?.moduleEn ?? existing?.moduleEn ?? lastModule?.titleEn ?? '',
    markdown: form?.markdown ?? existing?.markdown ?? '',
  };
  const base = `/author/courses/${encodeURIComponent(draft.slug)}`;
  return {
    slug: draft.slug,
    courseTitle: draft.title,
    key,
    action: key ? `${base}/lessons/${key}` : `${base}/lessons`,
    back: base,
    lesson,
    kinds: LESSON_KINDS.map((value) => ({ value, selected: lesson.kind === value })),
    previewHtml,
    // A preview keeps the revision the author opened, so their later save is still checked against it.
    revision: form?.revision ?? draft.revision,
  };
}

export function toLessonInput(form: LessonFormDto): LessonInput {
  const minutes = Number(form.minutes);
  if (minutes < 1 || minutes > 240) {
    throw new CurriculumException('LESSON_MINUTES', {}, 'minutes');
  }
  return {
    title: form.title.trim(),
    titleEn: form.titleEn?.trim(),
    minutes,
    kind: form.kind,
    module: form.module?.trim(),
    moduleEn: form.moduleEn?.trim(),
    markdown: form.markdown,
  };
}

export function toCourseSettingsInput(form: CourseFormDto): CourseSettings {
  if (Number(form.hours) < 0.5) {
    throw new CurriculumException('COURSE_HOURS', {}, 'hours');
  }
  return {
    title: form.title,
    titleEn: form.titleEn,
    trainingKind: form.trainingKind,
    hours: Number(form.hours),
    summary: form.summary,
    summaryEn: form.summaryEn,
    overview: form.overview,
    competencies: form.competencies,
    postTypes: form.postTypes,
    levels: form.levels,
  };
}
