import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganizationsModule } from '../organizations/organizations.module';
import './auth.i18n';
import { AuthApiController } from './auth-api.controller';
import { AuthPagesController } from './auth-pages.controller';
import { AuthSessionEntity } from './auth-session.entity';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginThrottle } from './login-throttle';
import { PasswordChangeGuard } from './password-change.guard';
import { PasswordResetEntity } from './password-reset.entity';
import { PasswordsApiController } from './passwords-api.controller';
import { PasswordsPagesController } from './passwords-pages.controller';
import { PasswordsService } from './passwords.service';
import { SessionsService } from './sessions.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([AuthSessionEntity, PasswordResetEntity]),
    OrganizationsModule,
  ],
  controllers: [
    AuthApiController,
    AuthPagesController,
    PasswordsApiController,
    PasswordsPagesController,
  ],
  providers: [
    AuthService,
    SessionsService,
    LoginThrottle,
    PasswordsService,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: PasswordChangeGuard },
  ],
  exports: [AuthService, SessionsService],
})
export class AuthModule {}
