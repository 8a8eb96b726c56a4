import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';

const asArray = ({ value }: { value: unknown }): unknown =>
  value === undefined || Array.isArray(value) ? value : [value];

/** The schedule form of /study-days: plain strings as a browser sends them. */
export class ScheduleFormDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  topic!: string;

  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  date!: string;

  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/)
  startTime!: string;

  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/)
  endTime!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  place!: string;

  @IsOptional()
  @IsString()
  @MaxLength(20000)
  agenda?: string;

  @IsIn(['none', 'day', 'weekday'])
  repeat!: 'none' | 'day' | 'weekday';

  @IsOptional()
  @Matches(/^([1-9]|[12]\d|3[01])$/)
  day?: string;

  @IsOptional()
  @IsIn(['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'])
  weekday?: string;

  @IsOptional()
  @Matches(/^[1-5]$/)
  nth?: string;

  @IsOptional()
  @Matches(/^(\d{4}-\d{2}-\d{2})?$/)
  until?: string;

  @IsOptional()
  @Transform(asArray)
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(36, { each: true })
  lessonIds?: string[];

  @IsOptional()
  @Transform(asArray)
  @IsArray()
  @ArrayMaxSize(7)
  @IsString({ each: true })
  @MaxLength(24, { each: true })
  meetingTypes?: string[];

  @IsString()
  @MaxLength(36)
  branch!: string;
}

export class ReasonFormDto {
  @IsString()
  @MinLength(2)
  @MaxLength(500)
  reason!: string;
}

export class ProxyFormDto {
  @IsString()
  @MaxLength(36)
  userId!: string;

  @IsIn(['present', 'late', 'proxy', 'home_visit', 'leave', 'absent'])
  status!: 'present' | 'late' | 'proxy' | 'home_visit' | 'leave' | 'absent';

  @IsString()
  @MinLength(2)
  @MaxLength(500)
  reason!: string;
}

export class MinutesFormDto {
  @IsString()
  @MaxLength(50000)
  minutes!: string;

  @IsOptional()
  @IsIn(['on'])
  plan?: string;

  @IsOptional()
  @IsIn(['on'])
  materials?: string;

  @IsOptional()
  @IsIn(['on'])
  signInSheet?: string;
}

export class MoveFormDto {
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  date!: string;

  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/)
  startTime!: string;

  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/)
  endTime!: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class CalendarPageQuery {
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/)
  month?: string;

  @IsOptional()
  @IsString()
  @MaxLength(36)
  branch?: string;

  @IsOptional()
  @IsString()
  @MaxLength(8)
  lang?: string;

  @IsOptional()
  @IsString()
  @MaxLength(24)
  done?: string;
}
