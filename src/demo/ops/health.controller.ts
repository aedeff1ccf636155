import { Controller, Get } from '@nestjs/common';

/** Liveness probe; `/health` is in the module's default `skipPaths`, so it is never logged. */
@Controller('health')
export class HealthController {
  @Get()
  check(): { status: 'ok'; uptimeSeconds: number } {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  }
}
