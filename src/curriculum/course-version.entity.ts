import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import { hoursColumn, instantColumn } from '../database/columns';

/** An immutable published snapshot; learners' progress and hours point at what they actually studied. */
@Entity('course_versions')
@Unique('uq_course_versions_number', ['courseId', 'version'])
export class CourseVersionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  courseId!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'varchar', length: 200 })
  titleEn!: string;

  @Column({ type: 'text' })
  summary!: string;

  @Column({ type: 'text' })
  summaryEn!: string;

  @Column({ type: 'text' })
  overview!: string;

  /** Rendered once at publish through the sanitiser, never per view. */
  @Column({ type: 'text' })
  overviewHtml!: string;

  @Column(hoursColumn())
  hours!: number;

  @Column({ type: 'varchar', length: 64 })
  checksum!: string;

  @Column(instantColumn())
  publishedAt!: Date;

  @Column({ type: 'varchar', length: 36, nullable: true })
  publishedBy!: string | null;
}
