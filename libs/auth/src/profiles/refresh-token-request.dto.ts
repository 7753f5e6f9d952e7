import { IsString, Length } from 'class-validator';

/** The request body of every seed profile's refresh endpoint. */
export class ProfileRefreshRequestDto {
  /**
   * The refresh token to exchange; single use.
   * @example Xk3n2F0q9yq1Lw4sV7bN0cR8tH6mJ2pA5eD1gK9uY3o
   */
  @IsString()
  @Length(1, 512)
  refreshToken: string;
}
