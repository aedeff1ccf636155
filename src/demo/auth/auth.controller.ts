import { Body, Controller, Headers, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { AuthService, LoginResult, PublicUser } from './auth.service';
import type { AuthenticatedUser } from './authenticated-user';
import { BearerAuthGuard } from './bearer-auth.guard';
import { extractBearerToken } from './bearer-token';
import { CurrentUser } from './current-user.decorator';
import { LoginDto } from './dto/login.dto';
import { SignupDto } from './dto/signup.dto';

@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('signup')
  signup(@Body() dto: SignupDto): Promise<PublicUser> {
    return this.auth.signup(dto);
  }

  @Post('login')
  @HttpCode(HttpStatus.OK)
  login(@Body() dto: LoginDto): Promise<LoginResult> {
    return this.auth.login(dto);
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @UseGuards(BearerAuthGuard)
  logout(@CurrentUser() user: AuthenticatedUser, @Headers('authorization') authorization: string): void {
    // The guard has already checked the header, so the token is there.
    this.auth.logout(user.id, extractBearerToken(authorization)!);
  }
}
