import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { In, Repository } from 'typeorm';
import { Actor } from '../common/access/actor';
import { CommonException } from '../common/errors/app.exception';
import { sniff } from '../common/http/upload';
import { AuditService } from '../audit/audit.service';
import { AttendanceClock } from '../attendance/attendance-clock';
import { AttendanceService } from '../attendance/attendance.service';
import { TransactionService } from '../database/transaction.service';
import { MinutesDto } from './dto/study-days.dto';
import { StudyDayPhotoEntity } from './study-day-photo.entity';
import { StudyDayEntity } from './study-day.entity';
import { StudyDaysException } from './study-days.exception';
import { StudyDaysService } from './study-days.service';
import { evidenceOf, EvidenceView } from './study-days.view';
import { newId } from '../common/ids';

export interface PhotoView {
  id: string;
  url: string;
  bytes: number;
  mime: string;
  createdAt: string;
}

/** Minutes, photos and the evidence checklist that makes a meeting count as held. */
@Injectable()
export class StudyDayRecordsService {
  constructor(
    @InjectRepository(StudyDayEntity) private readonly days: Repository<StudyDayEntity>,
    @InjectRepository(StudyDayPhotoEntity) private readonly photos: Repository<StudyDayPhotoEntity>,
    private readonly studyDays: StudyDaysService,
    private readonly attendance: AttendanceService,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly clock: AttendanceClock,
  ) {}

  async saveMinutes(
    actor: Actor,
    id: string,
    dto: MinutesDto,
    ip?: string,
  ): Promise<{ minutes: string; evidence: EvidenceView }> {
    const { day, branch } = await this.studyDays.managed(actor, id);
    const now = this.clock.now();
    await this.tx.run(async (m) => {
      await m.getRepository(StudyDayEntity).update(
        { id: day.id },
        {
          minutes: dto.minutes,
          minutesAt: now,
          evidence: {
            plan: dto.plan ?? day.evidence.plan,
            materials: dto.materials ?? day.evidence.materials,
            signInSheet: dto.signInSheet ?? day.evidence.signInSheet,
          },
          updatedAt: now,
        },
      );
      await this.audit.record(
        {
          action: 'study_day.minutes',
          actor,
          targetType: 'study_day',
          targetId: day.id,
          orgId: branch.id,
          ip,
          details: { length: dto.minutes.length },
        },
        m,
      );
    });
    return {
      minutes: dto.minutes,
      evidence: (await this.evidence([day.id])).get(day.id) as EvidenceView,
    };
  }

  /** Evidence of many meetings at once (month views, regularity). */
  async evidence(ids: string[]): Promise<Map<string, EvidenceView>> {
    const out = new Map<string, EvidenceView>();
    if (ids.length === 0) {
      return out;
    }
    const { evidence } = await this.studyDays.rhythm();
    const days = await this.days.findBy({ id: In(ids) });
    const summaries = await this.attendance.summaries(ids);
    const photoRows = await this.photos
      .createQueryBuilder('p')
      .select(['p.study_day_id AS "dayId"', 'COUNT(*) AS n'])
      .where('p.study_day_id IN (:...ids)', { ids })
      .groupBy('p.study_day_id')
      .getRawMany<Record<string, string>>();
    const photoCount = new Map(photoRows.map((r) => [r.dayId ?? r.dayid ?? '', Number(r.n)]));
    const now = this.clock.now();
    for (const d of days) {
      out.set(
        d.id,
        evidenceOf(
          d,
          {
            attendanceRecords: summaries.get(d.id)?.records ?? 0,
            photos: photoCount.get(d.id) ?? 0,
            now,
          },
          evidence,
        ),
      );
    }
    return out;
  }

  async addPhoto(actor: Actor, id: string, buffer: Buffer, ip?: string): Promise<PhotoView> {
    const { day, branch } = await this.studyDays.managed(actor, id);
    const { evidence } = await this.studyDays.rhythm();
    if (buffer.length > evidence.maxPhotoBytes) {
      throw new CommonException('PAYLOAD_TOO_LARGE');
    }
    const mime = mimeOf(buffer);
    if (!mime) {
      throw new CommonException('UNSUPPORTED_MEDIA_TYPE');
    }
    const now = this.clock.now();
    const row = Object.assign(new StudyDayPhotoEntity(), {
      id: newId(),
      studyDayId: day.id,
      mime,
      bytes: buffer.length,
      sha256: createHash('sha256').update(buffer).digest('hex'),
      data: buffer.toString('base64'),
      uploadedBy: actor.userId,
      createdAt: now,
    });
    await this.tx.run(async (m) => {
      const count = await m.getRepository(StudyDayPhotoEntity).countBy({ studyDayId: day.id });
      if (count >= evidence.maxPhotos) {
        throw new StudyDaysException('TOO_MANY_PHOTOS', { max: evidence.maxPhotos });
      }
      await m.getRepository(StudyDayPhotoEntity).insert(row);
      await this.audit.record(
        {
          action: 'study_day.photo',
          actor,
          targetType: 'study_day',
          targetId: day.id,
          orgId: branch.id,
          ip,
          details: { photoId: row.id, bytes: row.bytes },
        },
        m,
      );
    });
    return toPhotoView(row);
  }

  async listPhotos(actor: Actor, id: string): Promise<PhotoView[]> {
    const { day } = await this.studyDays.visible(actor, id);
    const rows = await this.photos.find({
      where: { studyDayId: day.id },
      select: { id: true, studyDayId: true, mime: true, bytes: true, createdAt: true },
      order: { createdAt: 'ASC' },
    });
    return rows.map(toPhotoView);
  }

  async photo(actor: Actor, id: string, photoId: string): Promise<{ mime: string; data: Buffer }> {
    const { day } = await this.studyDays.visible(actor, id);
    const row =
      typeof photoId === 'string' && photoId.length <= 36
        ? await this.photos.findOneBy({ id: photoId, studyDayId: day.id })
        : null;
    if (!row) {
      throw new StudyDaysException('PHOTO_NOT_FOUND');
    }
    return { mime: row.mime, data: Buffer.from(row.data, 'base64') };
  }

  async deletePhoto(actor: Actor, id: string, photoId: string, ip?: string): Promise<void> {
    const { day, branch } = await this.studyDays.managed(actor, id);
    await this.tx.run(async (m) => {
      const result = await m.getRepository(StudyDayPhotoEntity).delete({
        id: typeof photoId === 'string' ? photoId.slice(0, 36) : '',
        studyDayId: day.id,
      });
      if (!result.affected) {
        throw new StudyDaysException('PHOTO_NOT_FOUND');
      }
      await this.audit.record(
        {
          action: 'study_day.photo_delete',
          actor,
          targetType: 'study_day',
          targetId: day.id,
          orgId: branch.id,
          ip,
          details: { photoId },
        },
        m,
      );
    });
  }
}

function toPhotoView(
  p: Pick<StudyDayPhotoEntity, 'id' | 'studyDayId' | 'mime' | 'bytes' | 'createdAt'>,
): PhotoView {
  return {
    id: p.id,
    url: `/api/v1/study-days/${p.studyDayId}/photos/${p.id}`,
    bytes: p.bytes,
    mime: p.mime,
    createdAt: p.createdAt.toISOString(),
  };
}

/** JPEG, PNG or WebP by their magic bytes; anything else (GIF, SVG with script, HTML) is refused. */
function mimeOf(buffer: Buffer): string | null {
  if (sniff(buffer) !== 'image') {
    return null;
  }
  if (buffer[0] === 0xff && buffer[1] === 0xd8) {
    return 'image/jpeg';
  }
  if (buffer[0] === 0x89 && buffer[1] === 0x50) {
    return 'image/png';
  }
  if (buffer.subarray(8, 12).toString('latin1') === 'WEBP') {
    return 'image/webp';
  }
  return null;
}
