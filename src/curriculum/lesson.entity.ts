import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import type { LessonKind } from './course-files';

/** A lesson of one course version (never changed after publishing); `html` is the sanitised rendering, cached. */
@Entity('lessons')
@Unique('uq_lessons_version_key', ['versionId', 'key'])
export class LessonEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  versionId!: string;

  @Column({ type: 'varchar', length: 36 })
  courseId!: string;

  /** The source file name without `.md`, e.g. `01-listen-to-each-side`. */
  @Column({ type: 'varchar', length: 80 })
  key!: string;

  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'varchar', length: 200 })
  moduleTitle!: string;

  @Column({ type: 'varchar', length: 200 })
  moduleTitleEn!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'varchar', length: 200 })
  titleEn!: string;

  @Column({ type: 'integer' })
  minutes!: number;

  @Column({ type: 'varchar', length: 16 })
  kind!: LessonKind;

  @Column({ type: 'text' })
  markdown!: string;

  @Column({ type: 'text' })
  html!: string;
}
