import { Injectable } from '@nestjs/common';

/** The time every attendance rule reads. Tests move it (offsetMs) to reach a window's edges without waiting. */
@Injectable()
export class AttendanceClock {
  offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}
