import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export const EXPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ReportFormat = (typeof EXPORT_FORMATS)[number];

/** Query of every report: the organisation node (default: the caller's highest), the year, the format. */
export class ReportQuery {
  @ApiPropertyOptional({
    description: 'Organisation node id; default the caller’s highest scope node',
  })
  @IsOptional()
  @IsString()
  @MaxLength(36)
  org?: string;

  @ApiPropertyOptional({ example: '2026', description: 'Calendar year; default this year' })
  @IsOptional()
  @Matches(/^\d{4}$/)
  year?: string;

  @ApiPropertyOptional({ maxLength: 80, description: 'Course slug (completion and item reports)' })
  @IsOptional()
  @IsString()
  @MaxLength(80)
  course?: string;

  @ApiPropertyOptional({
    enum: EXPORT_FORMATS,
    description: 'json (default), or a csv / xlsx download',
  })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: ReportFormat;

  @ApiPropertyOptional({ enum: ['zh-CN', 'en'] })
  @IsOptional()
  @IsString()
  @MaxLength(8)
  lang?: string;
}
