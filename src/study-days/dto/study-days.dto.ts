import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { INSTANT_WITH_OFFSET } from '../../attendance/dto/attendance.dto';
import { MEETING_TYPES, MeetingType } from '../branch-rhythm.policy';

const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export class MonthlyRuleDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 31,
    description: 'Day of month; past the month’s end means its last day',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(31)
  day?: number;

  @ApiPropertyOptional({ enum: WEEKDAYS })
  @IsOptional()
  @IsIn(WEEKDAYS)
  weekday?: (typeof WEEKDAYS)[number];

  @ApiPropertyOptional({ minimum: 1, maximum: 5, description: '5 means the last one' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5)
  nth?: number;
}

export class RecurrenceDto {
  @ApiProperty({ type: MonthlyRuleDto })
  @ValidateNested()
  @Type(() => MonthlyRuleDto)
  monthly!: MonthlyRuleDto;
}

export class ScheduleStudyDayDto {
  @ApiProperty({ example: '学习新修订的《中国共产党纪律处分条例》', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  topic!: string;

  @ApiProperty({ example: '2026-12-15T09:00:00+08:00' })
  @IsISO8601({ strict: true })
  @Matches(INSTANT_WITH_OFFSET)
  startsAt!: string;

  @ApiProperty({ example: '2026-12-15T11:00:00+08:00', description: 'Same local day as startsAt' })
  @IsISO8601({ strict: true })
  @Matches(INSTANT_WITH_OFFSET)
  endsAt!: string;

  @ApiProperty({ example: '社区党群服务中心二楼会议室', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  place!: string;

  @ApiPropertyOptional({ description: 'Agenda in markdown', maxLength: 20000 })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  agenda?: string;

  @ApiPropertyOptional({ type: [String], description: 'Lessons absentees study as make-up' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(36, { each: true })
  lessonIds?: string[];

  @ApiPropertyOptional({
    enum: MEETING_TYPES,
    isArray: true,
    description: 'Obligations this meeting satisfies; default study_day',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(7)
  @IsIn(MEETING_TYPES, { each: true })
  meetingTypes?: MeetingType[];

  @ApiPropertyOptional({ type: RecurrenceDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RecurrenceDto)
  recurrence?: RecurrenceDto;

  @ApiPropertyOptional({
    example: '2027-12-31',
    description: 'Last day of the series (default: one year)',
  })
  @IsOptional()
  @Matches(DATE)
  until?: string;
}

export class UpdateStudyDayDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  topic?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(INSTANT_WITH_OFFSET)
  startsAt?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(INSTANT_WITH_OFFSET)
  endsAt?: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  place?: string;

  @ApiPropertyOptional({ maxLength: 20000 })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  agenda?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(36, { each: true })
  lessonIds?: string[];

  @ApiPropertyOptional({ enum: MEETING_TYPES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(7)
  @IsIn(MEETING_TYPES, { each: true })
  meetingTypes?: MeetingType[];

  @ApiPropertyOptional({ description: 'true cancels (a reason is required), false restores' })
  @IsOptional()
  @IsBoolean()
  cancelled?: boolean;

  @ApiPropertyOptional({ maxLength: 500, description: 'Why it was moved or cancelled' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  @ApiPropertyOptional({
    enum: ['occurrence', 'series'],
    description: '`series`: this and every later occurrence of its series',
  })
  @IsOptional()
  @IsIn(['occurrence', 'series'])
  applyTo?: 'occurrence' | 'series';
}

export class MonthQuery {
  @ApiPropertyOptional({ example: '2026-12' })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/)
  month?: string;
}

export class MinutesDto {
  @ApiProperty({ description: 'Minutes in markdown', maxLength: 50000 })
  @IsString()
  @MaxLength(50000)
  minutes!: string;

  @ApiPropertyOptional({ description: 'A paper plan was filed' })
  @IsOptional()
  @IsBoolean()
  plan?: boolean;

  @ApiPropertyOptional({ description: 'Study materials were handed out' })
  @IsOptional()
  @IsBoolean()
  materials?: boolean;

  @ApiPropertyOptional({ description: 'A paper sign-in sheet was kept' })
  @IsOptional()
  @IsBoolean()
  signInSheet?: boolean;
}

export class GenerateRhythmDto {
  @ApiProperty({ example: 2027 })
  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;

  @ApiProperty({ type: MonthlyRuleDto, description: 'The study day’s fixed day' })
  @ValidateNested()
  @Type(() => MonthlyRuleDto)
  rule!: MonthlyRuleDto;

  @ApiProperty({ example: '09:00' })
  @Matches(TIME)
  startTime!: string;

  @ApiProperty({ example: '11:00' })
  @Matches(TIME)
  endTime!: string;

  @ApiProperty({ maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  place!: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  topic?: string;
}

export class YearQuery {
  @ApiPropertyOptional({ example: '2026' })
  @IsOptional()
  @Matches(/^\d{4}$/)
  year?: string;
}

export class FeedQuery {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  token?: string;

  @IsOptional()
  @IsString()
  @MaxLength(8)
  lang?: string;
}
