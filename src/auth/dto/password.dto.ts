import { ApiProperty, IntersectionType, PickType } from '@nestjs/swagger';
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

/** What both password forms add to their JSON twin: the new password typed twice, and the CSRF token. */
class PasswordFormFields {
  @IsString()
  @MaxLength(128)
  confirmPassword!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  _csrf?: string;
}

/** The /me/password form. */
export class ChangePasswordFormDto extends IntersectionType(ChangePasswordDto, PasswordFormFields) {}

/** The /reset-password/:token form (the token travels in the path). */
export class ResetPasswordFormDto extends IntersectionType(
  PickType(ResetPasswordDto, ['newPassword'] as const),
  PasswordFormFields,
) {}
