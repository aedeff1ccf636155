import { Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { BearerAuthGuard } from './bearer-auth.guard';
import { PasswordHasher } from './password-hasher';
import { SessionStore } from './session.store';
import { UserStore } from './user.store';

@Module({
  controllers: [AuthController],
  providers: [AuthService, UserStore, SessionStore, PasswordHasher, BearerAuthGuard],
  exports: [SessionStore, BearerAuthGuard],
})
export class AuthModule {}
