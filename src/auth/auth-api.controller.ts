import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/access/actor';
import { ClientIp, CurrentActor, Public } from './auth.decorators';
import { AuthService, MeView } from './auth.service';
import { LoginDto } from './dto/login.dto';

@ApiTags('auth')
@Controller('api/v1')
export class AuthApiController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Sign in; answers a bearer token and mustChangePassword. 401 bad credentials (unknown, wrong and disabled alike), 429 after repeated failures.',
  })
  async login(@Body() dto: LoginDto, @ClientIp() ip: string) {
    const { secret, actor } = await this.auth.signIn(dto.username, dto.password, 'token', ip);
    return {
      accessToken: secret,
      tokenType: 'Bearer',
      // Someone else chose the password: the client should lead the person to POST /api/v1/me/password.
      mustChangePassword: actor.mustChangePassword === true,
      user: {
        id: actor.userId,
        username: actor.username,
        displayName: actor.displayName,
        roles: actor.grants.map((g) => ({ role: g.role, orgId: g.orgId })),
      },
    };
  }

  @Post('auth/logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Revoke the token (or page session) used for this request' })
  async logout(@CurrentActor() actor: Actor): Promise<void> {
    await this.auth.signOut(actor);
  }

  @Get('me')
  @ApiBearerAuth()
  me(@CurrentActor() actor: Actor): Promise<MeView> {
    return this.auth.me(actor);
  }
}
