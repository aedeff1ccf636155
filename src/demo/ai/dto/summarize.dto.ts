import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { GEMINI_MODELS, GeminiModel } from '../../gemini/gemini.types';

export class SummarizeDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(20_000)
  text: string;

  /** @default 'gemini-2.5-flash' */
  @IsOptional()
  @IsIn(GEMINI_MODELS)
  model?: GeminiModel;
}
