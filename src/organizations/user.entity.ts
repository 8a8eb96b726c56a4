import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantColumn } from '../database/columns';

export const POST_TYPES = ['head', 'deputy', 'other'] as const;
export type PostType = (typeof POST_TYPES)[number];
export const QUALIFICATION_LEVELS = ['none', 'assistant', 'social_worker', 'senior'] as const;
export type QualificationLevel = (typeof QUALIFICATION_LEVELS)[number];

@Entity('users')
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  username!: string;

  @Column({ type: 'varchar', length: 64 })
  displayName!: string;

  @Column({ type: 'varchar', length: 200 })
  passwordHash!: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  phone!: string | null;

  /** The community or party branch the person belongs to. */
  @Column({ type: 'varchar', length: 36 })
  orgId!: string;

  @Column({ type: 'boolean', default: false })
  partyMember!: boolean;

  @Column({ type: 'varchar', length: 16, nullable: true })
  postType!: PostType | null;

  @Column({ type: 'integer', nullable: true })
  postGrade!: number | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  hireDate!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'none' })
  qualificationLevel!: QualificationLevel;

  /** Start of the current 3-year registration period of a registered social worker (YYYY-MM-DD). */
  @Column({ type: 'varchar', length: 10, nullable: true })
  registrationStart!: string | null;

  /** Branch committee members owe 56 party-education hours a year instead of 32. */
  @Column({ type: 'boolean', default: false })
  branchCommittee!: boolean;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** Set when someone else chose the password (an officer, a CSV import); cleared when the person changes it. */
  @Column({ type: 'boolean', default: false })
  mustChangePassword!: boolean;

  @Column(instantColumn())
  createdAt!: Date;

  @Column(instantColumn())
  updatedAt!: Date;
}
