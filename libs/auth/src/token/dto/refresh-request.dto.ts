import { IsString, Length } from 'class-validator';

export class RefreshRequestDto {
  /** The refresh token used to get new JWTs: single use, replaced by the one in the response. */
  @IsString()
  @Length(1, 512)
  refresh_token: string;
}
