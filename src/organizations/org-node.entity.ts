import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantColumn } from '../database/columns';

export const ORG_KINDS = ['city', 'district', 'street', 'community', 'branch', 'group'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/** Which kind of node may sit under which (a party group sits under its branch). */
export const CHILD_KINDS: Record<OrgKind, OrgKind[]> = {
  city: ['district'],
  district: ['street'],
  street: ['community'],
  community: ['branch'],
  branch: ['group'],
  group: [],
};

@Entity('org_nodes')
export class OrgNodeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: OrgKind;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  nameEn!: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  parentId!: string | null;

  /** `/<root id>/.../<own id>/`: a node covers every node whose path starts with its own. */
  @Column({ type: 'varchar', length: 400 })
  path!: string;

  @Column({ type: 'integer' })
  depth!: number;

  @Column({ type: 'varchar', length: 64, default: 'Asia/Shanghai' })
  zone!: string;

  /** Short code used in certificate serial numbers, e.g. `YH`. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  code!: string | null;

  @Column(instantColumn())
  createdAt!: Date;
}
