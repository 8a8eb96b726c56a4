import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
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
} from 'class-validator';
import { QUIZ_REVIEWS, QuizReview } from '../formats';
import { QUIZ_LAYOUTS, QuizLayout, REVIEW_WHENS, ReviewWhen } from '../assessment.entities';

export const IMPORT_FORMATS = ['gift', 'markdown'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export class ImportBankQuery {
  @ApiProperty({ enum: IMPORT_FORMATS })
  @IsIn(IMPORT_FORMATS)
  format!: ImportFormat;

  @ApiPropertyOptional({ description: 'Import into this bank' })
  @IsOptional()
  @IsString()
  @MaxLength(36)
  bankId?: string;

  @ApiPropertyOptional({
    description: 'Create a new bank with this name (or use the markdown file’s name)',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  bankName?: string;

  @ApiPropertyOptional({
    description: 'Owner of a new bank (default: where the trainer holds the role)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(36)
  orgId?: string;

  @ApiPropertyOptional({
    description:
      '1 = import the good questions even when some are malformed; otherwise a file with any malformed question is refused whole',
    enum: ['0', '1'],
  })
  @IsOptional()
  @IsIn(['0', '1'])
  partial?: '0' | '1';

  @ApiPropertyOptional({ description: 'CSRF token for cookie-authenticated multipart uploads' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  _csrf?: string;

  @ApiPropertyOptional({ enum: ['zh-CN', 'en'] })
  @IsOptional()
  @IsString()
  @MaxLength(8)
  lang?: string;
}

export class ExportBankQuery {
  @ApiProperty({ enum: IMPORT_FORMATS })
  @IsIn(IMPORT_FORMATS)
  format!: ImportFormat;

  @ApiPropertyOptional({ enum: ['zh-CN', 'en'] })
  @IsOptional()
  @IsString()
  @MaxLength(8)
  lang?: string;
}

const TAG = /^[\p{Ll}\p{Lo}\p{N}][\p{Ll}\p{Lo}\p{N}_-]*$/u;

export class CreateQuizDto {
  @ApiProperty({ example: 'neighbour-mediation', maxLength: 100 })
  @IsString()
  @MaxLength(100)
  courseSlug!: string;

  @ApiPropertyOptional({
    description: 'Makes it a practice quiz of this lesson; a course final test without it',
  })
  @IsOptional()
  @IsString()
  @MaxLength(36)
  lessonId?: string;

  @ApiProperty({ maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  titleEn?: string;

  @ApiProperty()
  @IsString()
  @MaxLength(36)
  bankId!: string;

  @ApiPropertyOptional({
    description: 'Questions drawn per attempt (all when omitted)',
    minimum: 1,
    maximum: 200,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200)
  questionCount?: number;

  @ApiPropertyOptional({
    type: [String],
    description: 'Draw only questions with one of these tags',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  @Matches(TAG, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ minimum: 1, maximum: 86400 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86400)
  timeLimitSeconds?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  attemptsAllowed?: number;

  @ApiProperty({ minimum: 0, maximum: 100, description: 'Pass mark in percent' })
  @IsInt()
  @Min(0)
  @Max(100)
  passMark!: number;

  @ApiPropertyOptional({ example: '2026-09-01T08:00:00+08:00' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @MaxLength(40)
  opensAt?: string;

  @ApiPropertyOptional({ example: '2026-09-30T22:00:00+08:00' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @MaxLength(40)
  closesAt?: string;

  @ApiPropertyOptional({ enum: QUIZ_REVIEWS, default: 'feedback' })
  @IsOptional()
  @IsIn(QUIZ_REVIEWS)
  review?: QuizReview;

  @ApiPropertyOptional({ enum: REVIEW_WHENS, default: 'immediately' })
  @IsOptional()
  @IsIn(REVIEW_WHENS)
  reviewWhen?: ReviewWhen;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  shuffleQuestions?: boolean;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  shuffleOptions?: boolean;

  @ApiPropertyOptional({
    enum: QUIZ_LAYOUTS,
    default: 'all',
    description: 'all questions on one page, or one per screen',
  })
  @IsOptional()
  @IsIn(QUIZ_LAYOUTS)
  layout?: QuizLayout;
}

export class SaveAnswerDto {
  @ApiProperty()
  @IsString()
  @MaxLength(36)
  questionId!: string;

  @ApiProperty({
    description:
      'option id (single), option ids (multiple), boolean (true/false), text (fill-in), number (numeric), {leftId: rightId} (matching)',
    oneOf: [
      { type: 'string' },
      { type: 'array', items: { type: 'string' } },
      { type: 'boolean' },
      { type: 'number' },
      { type: 'object' },
    ],
  })
  @IsDefined()
  response!: unknown;
}

export class PracticeDto {
  @ApiProperty({ description: 'The same shapes as an attempt answer' })
  @IsDefined()
  response!: unknown;
}
