import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/access/actor';
import { ClientIp, CurrentActor, Public, Roles } from './auth.decorators';
import { ChangePasswordDto, ResetPasswordDto } from './dto/password.dto';
import { PasswordsService } from './passwords.service';

@ApiTags('auth')
@Controller('api/v1')
export class PasswordsApiController {
  constructor(private readonly passwords: PasswordsService) {}

  @Post('me/password')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'Change one’s own password. 400 CURRENT_PASSWORD_WRONG (counted by the sign-in throttle, 429 after repeated failures) or PASSWORD_REJECTED; every other session and token of the person ends, this one goes on.',
  })
  async changeOwn(
    @CurrentActor() actor: Actor,
    @Body() dto: ChangePasswordDto,
    @ClientIp() ip: string,
  ): Promise<void> {
    await this.passwords.changeOwn(actor, dto, ip, 'keep');
  }

  @Post('users/:id/password-reset')
  @Roles('admin', 'secretary')
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'A one-time link (72 h) for a person in the caller’s scope to set a new password; shown once, ends any earlier link. 404 out of scope or unknown; 403 when the person holds a role the caller cannot grant.',
  })
  async issueReset(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @ClientIp() ip: string,
  ): Promise<{ resetUrl: string; expiresAt: string }> {
    const { resetUrl, expiresAt } = await this.passwords.issueReset(actor, id, ip);
    return { resetUrl, expiresAt };
  }

  @Public()
  @Post('auth/password-reset')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Set a new password with the secret of a reset link. 410 RESET_LINK_INVALID alike for unknown, used, replaced and expired links; every session and token of the person ends.',
  })
  async completeReset(@Body() dto: ResetPasswordDto, @ClientIp() ip: string): Promise<void> {
    await this.passwords.completeReset(dto.token, dto.newPassword, undefined, ip);
  }
}
