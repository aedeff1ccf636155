import { Controller, Get } from '@nestjs/common';
import { AnalyticsStats, AuditService } from '../../index';

/** The pipeline counters: what an operator would alert on (`dropped`, `failed`). */
@Controller('stats')
export class StatsController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  stats(): AnalyticsStats {
    return this.audit.stats();
  }
}
