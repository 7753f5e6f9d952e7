import { type PipeTransform } from '@nestjs/common';
import { BASE64URL_PATTERN } from './crypto';
import { DomainError } from './domain-error';
import { UUID_PATTERN } from './ids';

/**
 * Path ids are checked against the shape we issue before any query: a value of another
 * shape cannot name anything, so it is simply not found (and never reaches the database).
 */
export class ParseUuidIdPipe implements PipeTransform<string, string> {
  constructor(private readonly target = 'id') {}

  transform(value: string): string {
    if (typeof value !== 'string' || !UUID_PATTERN.test(value))
      throw new DomainError('not_found', undefined, this.target);
    return value;
  }
}

export class ParsePublicIdPipe implements PipeTransform<string, string> {
  constructor(private readonly target: string) {}

  transform(value: string): string {
    if (typeof value !== 'string' || value.length > 128 || !BASE64URL_PATTERN.test(value)) {
      throw new DomainError('not_found', undefined, this.target);
    }
    return value;
  }
}
