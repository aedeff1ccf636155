import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { CurrentUser } from '../auth/current-user.decorator';
import { SummarizeDto } from './dto/summarize.dto';
import { SummarizeService, SummaryResult } from './summarize.service';

@Controller('ai')
@UseGuards(BearerAuthGuard)
export class AiController {
  constructor(private readonly summarizer: SummarizeService) {}

  @Post('summarize')
  @HttpCode(HttpStatus.OK)
  summarize(@CurrentUser() user: AuthenticatedUser, @Body() dto: SummarizeDto): Promise<SummaryResult> {
    return this.summarizer.summarize(user.id, dto.text, dto.model);
  }
}
