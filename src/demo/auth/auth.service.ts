import { ConflictException, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuditService, AuthEventType } from '../../index';
import type { LoginDto } from './dto/login.dto';
import type { SignupDto } from './dto/signup.dto';
import { PasswordHasher } from './password-hasher';
import { SessionStore } from './session.store';
import { User, UserStore } from './user.store';

export interface PublicUser {
  id: string;
  email: string;
  name?: string;
  createdAt: Date;
}

export interface LoginResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

const normalizeEmail = (email: string) => email.trim().toLowerCase();
const toPublicUser = ({ id, email, name, createdAt }: User): PublicUser => ({ id, email, name, createdAt });

/** Sign-up, login and logout, each recorded in `authentication_logs`. */
@Injectable()
export class AuthService {
  /** Verified against for unknown e-mails, so timing does not reveal which e-mails exist. */
  private readonly decoyHash: Promise<string>;

  constructor(
    private readonly users: UserStore,
    private readonly sessions: SessionStore,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
  ) {
    this.decoyHash = hasher.hash('decoy-password-for-unknown-users');
  }

  async signup(dto: SignupDto): Promise<PublicUser> {
    const email = normalizeEmail(dto.email);
    const user = this.users.create(email, await this.hasher.hash(dto.password), dto.name);
    if (!user) {
      this.audit.logAuthEvent({
        eventType: AuthEventType.SIGNUP,
        success: false,
        errorMessage: 'e-mail already registered',
        metadata: { emailHash: this.audit.hashIdentifier(email) },
      });
      throw new ConflictException('This e-mail is already registered.');
    }
    this.audit.logAuthEvent({ eventType: AuthEventType.SIGNUP, success: true, userId: user.id });
    // The raw e-mail never reaches the analytics tables; its HMAC joins events across systems.
    this.audit.trackEvent(
      'user.signed_up',
      { emailDomain: email.split('@')[1], hasName: Boolean(dto.name) },
      { userId: user.id, subjectHash: this.audit.hashIdentifier(email) },
    );
    return toPublicUser(user);
  }

  async login(dto: LoginDto): Promise<LoginResult> {
    const email = normalizeEmail(dto.email);
    const user = this.users.findByEmail(email);
    const valid = await this.hasher.verify(dto.password, user?.passwordHash ?? (await this.decoyHash));
    if (!user || !valid) {
      this.audit.logAuthEvent({
        eventType: AuthEventType.LOGIN_FAILED,
        success: false,
        userId: user?.id,
        errorMessage: 'invalid credentials',
        metadata: { reason: user ? 'wrong_password' : 'unknown_email', emailHash: this.audit.hashIdentifier(email) },
      });
      throw new UnauthorizedException('Invalid e-mail or password.');
    }
    const session = this.sessions.open(user.id);
    this.audit.logAuthEvent({ eventType: AuthEventType.LOGIN, success: true, userId: user.id });
    return { accessToken: session.token, tokenType: 'Bearer', expiresIn: session.expiresInSeconds };
  }

  logout(userId: string, token: string): void {
    this.sessions.close(token);
    this.audit.logAuthEvent({ eventType: AuthEventType.LOGOUT, success: true, userId });
  }
}
