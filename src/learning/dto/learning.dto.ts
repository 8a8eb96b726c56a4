import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class EnrolDto {
  @ApiPropertyOptional({
    description: 'Enrol someone else (secretaries and administrators, people in their subtree)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(36)
  userId?: string;

  @ApiPropertyOptional({
    example: '2026-12-31',
    description: 'Due date of an assignment (YYYY-MM-DD)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  dueDate?: string;
}
