import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class AuditQuery {
  @ApiPropertyOptional({
    description: 'Organisation node whose subtree is shown (default: all the caller administers)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(36)
  org?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Matches(/^\d{1,3}$/)
  limit?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  cursor?: string;
}
