import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import type { Role } from '../common/access/actor';

@Entity('role_assignments')
@Unique('uq_role_assignment', ['userId', 'role', 'orgId'])
export class RoleAssignmentEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: Role;

  @Column({ type: 'varchar', length: 36 })
  orgId!: string;
}
