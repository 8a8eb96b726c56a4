import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import {
  COMPETENCIES,
  COURSE_LEVELS,
  COURSE_POST_TYPES,
  LESSON_KINDS,
  SLUG,
  TRAINING_KINDS,
} from '../course-files';

export const LESSON_KEY = /^\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Form checkboxes arrive as one string or a list of strings. */
const asList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? [value] : value;

export class LessonInputDto {
  @ApiPropertyOptional({
    example: '01-listen-to-each-side',
    description: 'Keep an existing lesson’s key; new lessons get one',
  })
  @IsOptional()
  @IsString()
  @MaxLength(80)
  @Matches(LESSON_KEY)
  key?: string;

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

  @ApiProperty({ minimum: 1, maximum: 240 })
  @IsInt()
  @Min(1)
  @Max(240)
  minutes!: number;

  @ApiPropertyOptional({ enum: LESSON_KINDS })
  @IsOptional()
  @IsIn(LESSON_KINDS)
  kind?: (typeof LESSON_KINDS)[number];

  @ApiProperty({ maxLength: 100000 })
  @IsString()
  @MinLength(1)
  @MaxLength(100000)
  markdown!: string;
}

export class ModuleInputDto {
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @MaxLength(200)
  title!: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  titleEn?: string;

  @ApiProperty({ type: [LessonInputDto] })
  @IsArray()
  @ArrayMaxSize(99)
  @ValidateNested({ each: true })
  @Type(() => LessonInputDto)
  lessons!: LessonInputDto[];
}

export class CourseInputDto {
  /** The draft `revision` the edit was made on; a save on an older one is refused with 409 (lost update). */
  @ApiPropertyOptional({ maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  revision?: string;

  @ApiProperty({ example: 'neighbour-mediation', maxLength: 80 })
  @IsString()
  @MaxLength(80)
  @Matches(SLUG)
  slug!: string;

  @ApiProperty({ maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @ApiProperty({ maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  titleEn!: string;

  @ApiProperty({ enum: TRAINING_KINDS })
  @IsIn(TRAINING_KINDS)
  trainingKind!: (typeof TRAINING_KINDS)[number];

  @ApiProperty({ minimum: 0.5, maximum: 500 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.5)
  @Max(500)
  hours!: number;

  @ApiProperty({ maxLength: 1000, description: 'Chinese summary shown in the catalogue' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  summary!: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  summaryEn?: string;

  @ApiPropertyOptional({
    maxLength: 20000,
    description: 'Course overview in markdown; defaults to the summary',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  overview?: string;

  @ApiPropertyOptional({ enum: COMPETENCIES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(7)
  @IsIn(COMPETENCIES, { each: true })
  competencies?: Array<(typeof COMPETENCIES)[number]>;

  @ApiPropertyOptional({ enum: COURSE_POST_TYPES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @IsIn(COURSE_POST_TYPES, { each: true })
  postTypes?: string[];

  @ApiPropertyOptional({ enum: COURSE_LEVELS, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(4)
  @IsIn(COURSE_LEVELS, { each: true })
  levels?: string[];

  @ApiPropertyOptional({
    description:
      'Owner node (in the trainer’s subtree); defaults to where the trainer holds the role',
  })
  @IsOptional()
  @IsString()
  @MaxLength(36)
  orgId?: string;

  @ApiProperty({ type: [ModuleInputDto] })
  @IsArray()
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => ModuleInputDto)
  modules!: ModuleInputDto[];
}

export class CatalogueQuery {
  @ApiPropertyOptional({ enum: TRAINING_KINDS })
  @IsOptional()
  @IsIn(TRAINING_KINDS)
  kind?: (typeof TRAINING_KINDS)[number];

  @ApiPropertyOptional({ enum: COMPETENCIES })
  @IsOptional()
  @IsIn(COMPETENCIES)
  competency?: (typeof COMPETENCIES)[number];

  @ApiPropertyOptional({ minimum: 1, maximum: 200 })
  @IsOptional()
  @Matches(/^\d{1,3}$/)
  limit?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({
    enum: ['zh-CN', 'en'],
    description: 'Language of messages (also taken from Accept-Language)',
  })
  @IsOptional()
  @IsIn(['zh-CN', 'en'])
  lang?: string;
}

export class MarkdownPreviewDto {
  @ApiProperty({ maxLength: 100000 })
  @IsString()
  @MaxLength(100000)
  markdown!: string;
}

/** The course settings form of /author (form fields arrive as text). */
export class CourseFormDto {
  /** The draft `revision` the edit was made on; a save on an older one is refused with 409 (lost update). */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  revision?: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  titleEn!: string;

  @IsIn(TRAINING_KINDS)
  trainingKind!: (typeof TRAINING_KINDS)[number];

  @IsString()
  @Matches(/^\d{1,3}(\.5|\.0)?$/, { message: 'hours must be a number in steps of 0.5' })
  hours!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  summary!: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  summaryEn?: string;

  @IsOptional()
  @IsString()
  @MaxLength(20000)
  overview?: string;

  @IsOptional()
  @Transform(asList)
  @IsArray()
  @ArrayMaxSize(7)
  @IsIn(COMPETENCIES, { each: true })
  competencies?: Array<(typeof COMPETENCIES)[number]>;

  @IsOptional()
  @Transform(asList)
  @IsArray()
  @ArrayMaxSize(3)
  @IsIn(COURSE_POST_TYPES, { each: true })
  postTypes?: string[];

  @IsOptional()
  @Transform(asList)
  @IsArray()
  @ArrayMaxSize(4)
  @IsIn(COURSE_LEVELS, { each: true })
  levels?: string[];
}

/** The lesson form of /author; `intent=preview` renders without saving (the no-script preview). */
export class LessonFormDto {
  /** The draft `revision` the edit was made on; a save on an older one is refused with 409 (lost update). */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  revision?: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  titleEn?: string;

  @IsString()
  @Matches(/^\d{1,3}$/)
  minutes!: string;

  @IsIn(LESSON_KINDS)
  kind!: (typeof LESSON_KINDS)[number];

  @IsOptional()
  @IsString()
  @MaxLength(200)
  module?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  moduleEn?: string;

  @IsString()
  @MaxLength(100000)
  markdown!: string;

  @IsOptional()
  @IsIn(['save', 'preview'])
  intent?: 'save' | 'preview';
}

export class MoveLessonFormDto {
  @IsIn(['up', 'down'])
  direction!: 'up' | 'down';
}

export class NewCourseFormDto extends CourseFormDto {
  @IsString()
  @MaxLength(80)
  @Matches(SLUG)
  slug!: string;
}
