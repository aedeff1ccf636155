import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { SummarizeDto } from './dto/summarize.dto';
import { SummarizeService, SummaryResult } from './summarize.service';

@Controller('ai')
@UseGuards(BearerAuthGuard)
export class AiController {
  constructor(private readonly summarizer: SummarizeService) {}

  @Post('summarize')
  @HttpCode(HttpStatus.OK)
  summarize(@Body() dto: SummarizeDto): Promise<SummaryResult> {
    return this.summarizer.summarize(dto.text, dto.model);
  }
}
