import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EntityReadCache } from '../database/entity-read-cache';
import { AttendanceSessionEntity } from './attendance-session.entity';

/**
 * Sessions as check-ins read them: a branch's 30 members checking in within a minute ask for the same row 30
 * times. Emptied by any write to a session (opening its code, closing, cancelling); read-only for its callers.
 */
@Injectable()
export class AttendanceSessionCache extends EntityReadCache {
  constructor(dataSource: DataSource) {
    super(dataSource, new Set([AttendanceSessionEntity]));
  }
}
