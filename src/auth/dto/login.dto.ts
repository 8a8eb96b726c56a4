import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'cadre' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  username!: string;

  @ApiProperty({ example: 'demo1234' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  password!: string;
}

/** The sign-in form: the same fields plus the CSRF token and where to go next. */
export class LoginFormDto extends LoginDto {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  _csrf?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(/^\/(?!\/)/, { message: 'next must be a local path' })
  next?: string;
}

export class CsrfOnlyDto {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  _csrf?: string;
}
