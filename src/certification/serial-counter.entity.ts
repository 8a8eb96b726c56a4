import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The last serial number used per issuing organisation and year; bumped inside the issuing transaction. */
@Entity('certificate_serial_counters')
export class SerialCounterEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  orgId!: string;

  @PrimaryColumn({ type: 'integer' })
  year!: number;

  @Column({ type: 'integer', default: 0 })
  lastNumber!: number;
}
