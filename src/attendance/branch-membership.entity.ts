import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';

/** When a person joined and left a branch, so rates count each member only for the meetings they owed. */
@Entity('branch_memberships')
@Unique('uq_membership_start', ['userId', 'orgId', 'joinedOn'])
export class BranchMembershipEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 36 })
  orgId!: string;

  /** YYYY-MM-DD, local date. */
  @Column({ type: 'varchar', length: 10 })
  joinedOn!: string;

  @Column({ type: 'varchar', length: 10, nullable: true })
  leftOn!: string | null;
}
