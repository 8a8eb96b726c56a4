import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import { instantColumn, jsonColumn } from '../database/columns';
import type { Competency, CourseContent, CourseStatus, TrainingKind } from './course-files';

/** A course: what it is for (kind, competencies, audience), its status, its working draft and its published version. */
@Entity('courses')
@Unique('uq_courses_slug', ['slug'])
export class CourseEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 80 })
  slug!: string;

  /** Owner node: trainers of its subtree edit the course, people of its subtree see it. Null = the whole platform. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  orgId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  trainingKind!: TrainingKind;

  @Column(jsonColumn<Competency[]>())
  competencies!: Competency[];

  @Column(jsonColumn<string[]>())
  postTypes!: string[];

  @Column(jsonColumn<string[]>())
  levels!: string[];

  @Column({ type: 'varchar', length: 16 })
  status!: CourseStatus;

  @Column({ type: 'varchar', length: 36, nullable: true })
  currentVersionId!: string | null;

  /** The working copy trainers edit; publishing freezes it into a new version. */
  @Column(jsonColumn<CourseContent>())
  draft!: CourseContent;

  @Column({ type: 'varchar', length: 64 })
  draftChecksum!: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  createdBy!: string | null;

  @Column(instantColumn())
  createdAt!: Date;

  @Column(instantColumn())
  updatedAt!: Date;
}
