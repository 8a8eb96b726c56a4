import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The PDF exactly as issued (base64 text, the same on both databases); kept apart so lists never load it. */
@Entity('certificate_files')
export class CertificateFileEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  certificateId!: string;

  @Column({ type: 'text' })
  pdfBase64!: string;
}
