import { Injectable } from '@nestjs/common';
import { Actor } from '../common/access/actor';
import { TransactionService } from '../database/transaction.service';
import { OrgTreeService } from '../organizations/org-tree.service';
import { AttendanceException } from './attendance.exception';
import { AttendanceService, MANAGERS } from './attendance.service';
import { CreateTrainingSessionDto } from './dto/attendance.dto';
import { LearningBridge } from './learning-bridge';

export interface TrainingSessionView {
  id: string;
  sessionType: 'training_session';
  courseSlug: string | null;
  title: string;
  orgId: string;
  startsAt: string;
  endsAt: string;
  opensAt: string;
  closesAt: string;
  place: string | null;
  creditHours: number | null;
  trainingKind: string | null;
  closed: boolean;
}

/** In-person sessions of initial and practical courses, run on the same attendance engine as study days. */
@Injectable()
export class TrainingSessionsService {
  constructor(
    private readonly attendance: AttendanceService,
    private readonly tree: OrgTreeService,
    private readonly tx: TransactionService,
    private readonly learning: LearningBridge,
  ) {}

  async create(actor: Actor, dto: CreateTrainingSessionDto): Promise<TrainingSessionView> {
    const org = await this.tree.requireAt(actor, MANAGERS.training_session, dto.orgId);
    const course = await this.learning.courseExists(dto.courseSlug);
    if (!course) {
      throw new AttendanceException('COURSE_UNKNOWN', { slug: dto.courseSlug }, 'courseSlug');
    }
    const startsAt = new Date(dto.startsAt);
    const endsAt = new Date(dto.endsAt);
    if (
      !(endsAt.getTime() > startsAt.getTime()) ||
      endsAt.getTime() - startsAt.getTime() > 12 * 3600_000
    ) {
      throw new AttendanceException('TIMES_INVALID', {}, 'endsAt');
    }
    const lessons = await this.learning.lessonsOfCourse(course.slug);
    // A session credits its own length, in the course's training kind.
    const hours = Math.round(((endsAt.getTime() - startsAt.getTime()) / 3600_000) * 4) / 4;
    const session = await this.tx.run((m) =>
      this.attendance.createSession(m, {
        sessionType: 'training_session',
        orgId: org.id,
        title: course.title,
        startsAt,
        endsAt,
        place: dto.place,
        courseSlug: course.slug,
        trainingKind: course.trainingKind,
        creditHours: hours,
        lessonIds: lessons.map((l) => l.id),
      }),
    );
    return this.view(session);
  }

  async get(actor: Actor, id: unknown): Promise<TrainingSessionView> {
    const { session } = await this.attendance.visibleSession(actor, id, 'training_session');
    return this.view(session);
  }

  private view(s: Awaited<ReturnType<AttendanceService['createSession']>>): TrainingSessionView {
    return {
      id: s.id,
      sessionType: 'training_session',
      courseSlug: s.courseSlug,
      title: s.title,
      orgId: s.orgId,
      startsAt: s.startsAt.toISOString(),
      endsAt: s.endsAt.toISOString(),
      opensAt: s.opensAt.toISOString(),
      closesAt: s.closesAt.toISOString(),
      place: s.place,
      creditHours: s.creditHours,
      trainingKind: s.trainingKind,
      closed: s.closedAt !== null,
    };
  }
}
