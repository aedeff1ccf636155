import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { FakeGeminiClient } from '../gemini/fake-gemini.client';
import { AiController } from './ai.controller';
import { SummarizeService } from './summarize.service';

@Module({
  imports: [AuthModule],
  controllers: [AiController],
  providers: [FakeGeminiClient, SummarizeService],
})
export class AiModule {}
