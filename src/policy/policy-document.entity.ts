import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantColumn, jsonColumn } from '../database/columns';

/** One file of content/policy/, as imported: the numbers of a domain rule with their sources. */
@Entity('policy_documents')
export class PolicyDocumentEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  key!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  titleEn!: string | null;

  @Column(jsonColumn<Record<string, unknown>>())
  body!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 64 })
  checksum!: string;

  @Column(instantColumn())
  importedAt!: Date;
}
