import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { RECORDABLE_STATUSES, RecordableStatus } from '../attendance-rules';

/** Instants must carry an offset (or Z): a time without a zone is ambiguous for a meeting in Asia/Shanghai. */
export const INSTANT_WITH_OFFSET =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export class CheckInDto {
  @ApiProperty({
    example: '482913',
    description: 'The code on the screen; full-width digits are accepted',
  })
  @IsString()
  @MaxLength(16)
  code!: string;
}

export class CheckInFormDto extends CheckInDto {
  @ApiPropertyOptional({ description: 'Session id from the QR link' })
  @IsOptional()
  @IsString()
  @MaxLength(36)
  s?: string;
}

export class CheckInPageQuery {
  @IsOptional()
  @IsString()
  @MaxLength(16)
  code?: string;

  @IsOptional()
  @IsString()
  @MaxLength(36)
  s?: string;

  @IsOptional()
  @IsString()
  @MaxLength(8)
  lang?: string;
}

export class LeaveDto {
  @ApiProperty({ example: '外出参加社区防汛值班', maxLength: 500 })
  @IsString()
  @MinLength(2)
  @MaxLength(500)
  reason!: string;
}

export class DecideLeaveDto {
  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class RecordAttendanceDto {
  @ApiProperty()
  @IsString()
  @MaxLength(36)
  userId!: string;

  @ApiProperty({ enum: RECORDABLE_STATUSES })
  @IsIn(RECORDABLE_STATUSES)
  status!: RecordableStatus;

  @ApiProperty({ example: '年老行动不便，上门送学', maxLength: 500 })
  @IsString()
  @MinLength(2)
  @MaxLength(500)
  reason!: string;
}

export class CreateTrainingSessionDto {
  @ApiProperty({ example: 'first-30-days' })
  @IsString()
  @Matches(/^[a-z0-9-]{1,100}$/)
  courseSlug!: string;

  @ApiProperty({ description: 'The organisation whose people attend (a community or branch)' })
  @IsString()
  @MaxLength(36)
  orgId!: string;

  @ApiProperty({ example: '2026-12-05T09:00:00+08:00' })
  @IsISO8601({ strict: true })
  @Matches(INSTANT_WITH_OFFSET)
  startsAt!: string;

  @ApiProperty({ example: '2026-12-05T11:30:00+08:00' })
  @IsISO8601({ strict: true })
  @Matches(INSTANT_WITH_OFFSET)
  endsAt!: string;

  @ApiProperty({ example: '街道党群服务中心二楼培训室', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  place!: string;
}
