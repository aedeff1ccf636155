import {
  Body,
  CanActivate,
  Catch,
  Controller,
  ExceptionFilter,
  ArgumentsHost,
  ExecutionContext,
  Get,
  HttpCode,
  Injectable,
  Module,
  Param,
  Post,
  Query,
  StreamableFile,
  UnauthorizedException,
  UseFilters,
  UseGuards,
  ValidationPipe,
  Header,
  INestApplication,
  DynamicModule,
  MiddlewareConsumer,
  NestMiddleware,
  NestModule,
  Scope,
  NestInterceptor,
  CallHandler,
  RequestTimeoutException,
  UseInterceptors,
  ClassSerializerInterceptor,
  NotFoundException,
  Sse,
} from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { IsInt, IsString, Min } from 'class-validator';
import { Readable } from 'node:stream';
import { catchError, of, delay, Observable, throwError } from 'rxjs';
import { Audited, AuditService, getAnalyticsContext, runWithAnalyticsContext, TrackExternal } from '../../src';

/**
 * Sets `req.user` from an `x-user` header, as an auth guard would; rejects without one.
 * Sets the session the way session middleware does: `x-session-id` as express-session's
 * `req.sessionID`, `x-session` as a `req.session` object with an `id`.
 */
@Injectable()
export class HeaderAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest();
    const user = req.headers['x-user'];
    if (!user) throw new UnauthorizedException('Missing x-user');
    req.user = { id: user };
    if (req.headers['x-session-id']) req.sessionID = req.headers['x-session-id'];
    if (req.headers['x-session']) req.session = { id: req.headers['x-session'] };
    return true;
  }
}

@Injectable()
export class DenyGuard implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

/** Rejects the call before the handler runs, as a timeout or rate-limit interceptor does. */
@Injectable()
export class GateInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, _next: CallHandler): Observable<unknown> {
    throw new RequestTimeoutException('upstream took too long');
  }
}

/** Answers with a fallback when the handler fails, as a cache or circuit-breaker interceptor does. */
@Injectable()
export class FallbackInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(catchError(() => of({ fallback: true })));
  }
}

/** Sends an unauthenticated client to the login page, as apps with server-rendered pages do. */
@Catch(UnauthorizedException)
export class LoginRedirectFilter implements ExceptionFilter {
  catch(_err: UnauthorizedException, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse();
    if (typeof res.code === 'function' && typeof res.redirect === 'function' && !res.req) res.code(302).header('location', '/login').send();
    else res.status(302).header('location', '/login').send();
  }
}

export class TeapotError extends Error {}

@Catch(TeapotError)
export class TeapotFilter implements ExceptionFilter {
  catch(_err: TeapotError, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse();
    if (typeof res.status === 'function' && typeof res.send === 'function' && res.code) res.code(418).send({ teapot: true });
    else res.status(418).json({ teapot: true });
  }
}

export class CreateItemDto {
  @IsString() name: string;
  @IsInt() @Min(1) quantity: number;
}

/** A fake LLM client returning a Gemini-shaped response. */
@Injectable()
export class FakeGeminiClient {
  @TrackExternal('gemini', { endpoint: 'models.generateContent' })
  async generateContent(request: { model: string; contents: string }) {
    if (request.contents === 'fail') {
      throw Object.assign(new Error('RESOURCE_EXHAUSTED: quota'), { status: 429 });
    }
    return {
      candidates: [{ content: { parts: [{ text: `summary of ${request.contents}` }] } }],
      usageMetadata: { promptTokenCount: 1000, candidatesTokenCount: 200, thoughtsTokenCount: 50, cachedContentTokenCount: 400, totalTokenCount: 1250 },
      modelVersion: request.model,
    };
  }
}

@Injectable()
export class ItemsService {
  private readonly items = new Map<string, { id: string; name: string; quantity: number }>([['1', { id: '1', name: 'one', quantity: 1 }]]);

  constructor(
    private readonly gemini: FakeGeminiClient,
    private readonly audit: AuditService,
  ) {}

  @Audited({
    action: 'item.rename',
    resourceType: 'item',
    resourceId: ({ args }) => args[0],
    before: ({ args, instance }) => ({ ...instance.items.get(args[0]) }),
    after: ({ result }) => result,
  })
  rename(id: string, name: string) {
    const item = this.items.get(id);
    if (!item) throw Object.assign(new Error(`No item ${id}`), { code: 'ITEM_NOT_FOUND' });
    item.name = name;
    return { ...item };
  }

  @Audited({ action: 'item.summarize', captureArgs: true })
  async summarize(id: string) {
    const response = await this.gemini.generateContent({ model: 'gemini-2.5-flash', contents: id });
    this.audit.trackEvent('item.summarized', { id });
    return response.candidates[0].content.parts[0].text;
  }
}

@Controller('items')
export class ItemsController {
  constructor(private readonly items: ItemsService) {}

  @Get(':id')
  @Audited({ action: 'item.read', resourceType: 'item', resourceId: ({ args }) => args[0], captureArgs: true })
  get(@Param('id') id: string) {
    return { id };
  }

  @Get()
  list(@Query() query: Record<string, string>) {
    return { query };
  }

  @Post()
  @Audited({ action: 'item.create', resourceType: 'item', captureArgs: false, resourceId: ({ result }) => result?.id })
  create(@Body() dto: CreateItemDto) {
    return { id: '2', ...dto };
  }

  @Post(':id/rename')
  @UseGuards(HeaderAuthGuard)
  rename(@Param('id') id: string, @Body() body: { name: string }) {
    return this.items.rename(id, body.name);
  }

  @Post(':id/summary')
  @UseGuards(HeaderAuthGuard)
  summarize(@Param('id') id: string) {
    return this.items.summarize(id);
  }
}

@Controller()
export class MiscController {
  @Get('private')
  @UseGuards(HeaderAuthGuard)
  private() {
    return { ok: true };
  }

  @Get('forbidden')
  @UseGuards(DenyGuard)
  forbidden() {
    return { never: true };
  }

  @Get('boom')
  boom() {
    throw new Error('kaboom');
  }

  @Get('gated')
  @UseInterceptors(GateInterceptor)
  gated() {
    return { never: true };
  }

  @Get('recovered')
  @UseInterceptors(FallbackInterceptor)
  recovered() {
    throw new Error('upstream failed, fallback sent');
  }

  @Sse('events-broken')
  brokenEvents(): Observable<{ data: string }> {
    return new Observable((subscriber) => {
      subscriber.next({ data: 'first' });
      subscriber.error(new Error('event source broke'));
    });
  }

  @Get('recovered-stream')
  @UseInterceptors(FallbackInterceptor)
  recoveredStream(): Observable<unknown> {
    return throwError(() => new Error('upstream stream failed, fallback sent'));
  }

  @Get('account')
  @UseGuards(HeaderAuthGuard)
  @UseFilters(LoginRedirectFilter)
  account() {
    return { ok: true };
  }

  @Get('teapot')
  @UseFilters(TeapotFilter)
  teapot() {
    throw new TeapotError('short and stout');
  }

  @Get('stream')
  @Header('content-type', 'text/plain')
  stream() {
    return new StreamableFile(Readable.from(['chunk-1 ', 'chunk-2']));
  }

  @Get('empty')
  @HttpCode(204)
  empty() {
    return undefined;
  }

  @Get('observable')
  @Audited({ action: 'observable.read' })
  observable() {
    return of({ value: 42 }).pipe(delay(5));
  }

  @Get('health')
  health() {
    return { ok: true };
  }

  @Get('healthy')
  healthy() {
    return { ok: true };
  }

  /** The whole context, returned through ClassSerializerInterceptor, as an app might to debug. */
  @Get('context/all')
  @UseInterceptors(ClassSerializerInterceptor)
  wholeContext() {
    return { context: getAnalyticsContext() };
  }

  /** What a handler sees of its analytics context. */
  @Get('context')
  context() {
    const context = getAnalyticsContext();
    return { requestId: context?.requestId ?? null, ipAddress: context?.ipAddress ?? null };
  }
}

/** Made per request by Nest: its handlers are wrapped on the prototype. */
@Controller({ path: 'scoped', scope: Scope.REQUEST })
export class ScopedController {
  @Get('boom')
  boom() {
    throw new Error('scoped kaboom');
  }
}

/**
 * What apps do in middleware, before the guards: `x-early-event` makes a record there, and
 * `x-tenant` wraps the rest of the request in `runWithAnalyticsContext({ tenantId })`.
 */
@Injectable()
export class TenantMiddleware implements NestMiddleware {
  constructor(private readonly audit: AuditService) {}

  use(req: { headers: Record<string, string | undefined> }, _res: unknown, next: () => void) {
    if (req.headers['x-early-event']) this.audit.trackEvent('request.early');
    if (req.headers['x-tenant'] === 'missing') throw new NotFoundException("Tenant 'missing' does not exist");
    const tenantId = req.headers['x-tenant'];
    return tenantId ? runWithAnalyticsContext({ tenantId }, () => next()) : next();
  }
}

export type Platform = 'express' | 'fastify';

/** Boots the capture test app on one platform with AnalyticsModule (or AnalyticsTestingModule) as given. */
export async function bootHttpApp(platform: Platform, analytics: DynamicModule): Promise<INestApplication> {
  @Module({
    imports: [analytics],
    controllers: [ItemsController, MiscController, ScopedController],
    providers: [ItemsService, FakeGeminiClient, { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true }) }],
  })
  class CaptureAppModule implements NestModule {
    configure(consumer: MiddlewareConsumer) {
      consumer.apply(TenantMiddleware).forRoutes(ItemsController, MiscController);
    }
  }
  const moduleRef = await Test.createTestingModule({ imports: [CaptureAppModule] }).compile();
  const app = moduleRef.createNestApplication(platform === 'fastify' ? new FastifyAdapter() : new ExpressAdapter(), { logger: false });
  await app.init();
  if (platform === 'fastify') await app.getHttpAdapter().getInstance().ready();
  return app;
}
