import type { DraftView } from './course-authoring.service';
import type { CourseSummary, VersionOutline } from './curriculum.service';

export interface CatalogueItem {
  id: string;
  slug: string;
  title: string;
  titleEn: string;
  summary: string;
  summaryEn: string;
  trainingKind: string;
  hours: number;
  competencies: string[];
  postTypes: string[];
  levels: string[];
  lessonCount: number;
  version: number;
}

export interface CourseDetailBase {
  id: string;
  slug: string;
  title: string;
  titleEn: string;
  summary: string;
  summaryEn: string;
  overviewHtml: string;
  trainingKind: string;
  hours: number;
  competencies: string[];
  postTypes: string[];
  levels: string[];
  status: string;
  version: number;
  versionId: string | null;
  publishedAt: Date | null;
  canEdit: boolean;
  modules: Array<{
    title: string;
    titleEn: string;
    lessons: Array<{
      id: string | null;
      key: string;
      title: string;
      titleEn: string;
      minutes: number;
      kind: string;
    }>;
  }>;
}

/** The course answer; `quizzes` and any other field come from CourseExtrasService contributors. */
export type CourseDetailView = CourseDetailBase & {
  quizzes: Array<{ id: string; title: string }>;
  [extra: string]: unknown;
};

export function toCatalogueItem(c: CourseSummary): CatalogueItem {
  return {
    id: c.id,
    slug: c.slug,
    title: c.title,
    titleEn: c.titleEn,
    summary: c.summary,
    summaryEn: c.summaryEn,
    trainingKind: c.trainingKind,
    hours: c.hours,
    competencies: c.competencies,
    postTypes: c.postTypes,
    levels: c.levels,
    lessonCount: c.lessonCount,
    version: c.version,
  };
}

export function toCourseDetail(
  c: CourseSummary,
  outline: VersionOutline | null,
  draft: DraftView | null,
  canEdit: boolean,
): CourseDetailBase {
  const modules = outline
    ? outline.modules.map((m) => ({
        title: m.title,
        titleEn: m.titleEn,
        lessons: m.lessons.map((l) => ({
          id: l.id,
          key: l.key,
          title: l.title,
          titleEn: l.titleEn,
          minutes: l.minutes,
          kind: l.kind,
        })),
      }))
    : (draft?.modules ?? []).map((m) => ({
        title: m.title,
        titleEn: m.titleEn,
        lessons: m.lessons.map((l) => ({
          id: null,
          key: l.key,
          title: l.title,
          titleEn: l.titleEn,
          minutes: l.minutes,
          kind: l.kind,
        })),
      }));
  return {
    id: c.id,
    slug: c.slug,
    title: c.title,
    titleEn: c.titleEn,
    summary: c.summary,
    summaryEn: c.summaryEn,
    overviewHtml: outline?.overviewHtml ?? '',
    trainingKind: c.trainingKind,
    hours: c.hours,
    competencies: c.competencies,
    postTypes: c.postTypes,
    levels: c.levels,
    status: c.status,
    version: c.version,
    versionId: c.versionId,
    publishedAt: outline?.publishedAt ?? null,
    canEdit,
    modules,
  };
}
