import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class RevokeCertificateDto {
  @ApiProperty({ example: '证书信息有误，需作废', minLength: 2, maxLength: 500 })
  @IsString()
  @MinLength(2)
  @MaxLength(500)
  reason!: string;
}

export class ReissueCertificateDto {
  @ApiProperty({ example: '持证人姓名更正', minLength: 2, maxLength: 500 })
  @IsString()
  @MinLength(2)
  @MaxLength(500)
  reason!: string;
}

export class ExportQuery {
  @ApiProperty({ description: 'Organisation node whose subtree is exported' })
  @IsString()
  @MaxLength(36)
  org!: string;

  @ApiProperty({ example: '2026-01-01' })
  @IsString()
  @Matches(DATE)
  from!: string;

  @ApiProperty({ example: '2026-12-31' })
  @IsString()
  @Matches(DATE)
  to!: string;
}

export class SubmitTaskDto {
  @ApiProperty({
    example: '活动已于5月10日举办，方案、签到表和复盘报告已交导师。',
    maxLength: 2000,
  })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  note!: string;
}

export class SignOffTaskDto {
  @ApiProperty({ description: 'The learner whose task is signed off' })
  @IsString()
  @MaxLength(36)
  userId!: string;

  @ApiProperty({ example: '方案完整，现场组织有序，复盘具体，同意签核。', maxLength: 2000 })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  note!: string;
}

/** The revoke form on a person's qualification page (a pages route; the CSRF field comes with the form). */
export class RevokeCertificateFormDto extends RevokeCertificateDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  _csrf?: string;
}
