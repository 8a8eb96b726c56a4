import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

const NEW_PASSWORD = {
  example: '我家门前有两棵枣树',
  description:
    '8 to 128 characters, no composition rules; common passwords, the username and words of this platform padded with digits are refused',
};

export class ChangePasswordDto {
  @ApiProperty({ example: 'demo1234' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  currentPassword!: string;

  @ApiProperty(NEW_PASSWORD)
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  newPassword!: string;
}

/** The /me/password form: the same fields, the new password typed twice, and the CSRF token. */
export class ChangePasswordFormDto extends ChangePasswordDto {
  @IsString()
  @MaxLength(128)
  confirmPassword!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  _csrf?: string;
}

export class ResetPasswordDto {
  @ApiProperty({ description: 'The secret at the end of the reset link' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  token!: string;

  @ApiProperty(NEW_PASSWORD)
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  newPassword!: string;
}

/** The /reset-password/:token form (the token travels in the path). */
export class ResetPasswordFormDto {
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  newPassword!: string;

  @IsString()
  @MaxLength(128)
  confirmPassword!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  _csrf?: string;
}
