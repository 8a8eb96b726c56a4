import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantColumn } from '../database/columns';

/**
 * A photo of a meeting, kept in the database (base64 text, one column type on both databases) so every
 * process behind a load balancer serves it and a backup of the database holds the whole record.
 */
@Entity('study_day_photos')
export class StudyDayPhotoEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  studyDayId!: string;

  @Column({ type: 'varchar', length: 32 })
  mime!: string;

  @Column({ type: 'integer' })
  bytes!: number;

  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ type: 'text' })
  data!: string;

  @Column({ type: 'varchar', length: 36 })
  uploadedBy!: string;

  @Column(instantColumn())
  createdAt!: Date;
}
