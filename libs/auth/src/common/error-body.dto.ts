import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetailDto {
  /** Machine-readable reason for this field, e.g. `isString`. */
  @ApiProperty({ example: 'isString' })
  code: string;

  @ApiProperty({ example: 'name must be a string' })
  message: string;

  /** The offending field. */
  @ApiPropertyOptional({ example: 'name' })
  target?: string;
}

export class ErrorDto {
  /** Stable machine-readable error code. */
  @ApiProperty({ example: 'validation_failed' })
  code: string;

  /** Human-readable explanation; never contains secrets, SQL or stack traces. */
  @ApiProperty({ example: 'The request is not valid.' })
  message: string;

  @ApiPropertyOptional({ example: 'name' })
  target?: string;

  @ApiPropertyOptional({ type: [ErrorDetailDto] })
  details?: ErrorDetailDto[];
}

/** The body of every core API error. */
export class ErrorBodyDto {
  @ApiProperty({ type: ErrorDto })
  error: ErrorDto;
}
