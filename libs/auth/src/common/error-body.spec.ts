import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { DomainError } from './domain-error';
import { renderError } from './error-body';

describe('renderError', () => {
  it('renders a domain error with its code, status, target and details', () => {
    const rendered = renderError(
      new DomainError('validation_failed', 'bad', 'name', [
        { code: 'isString', message: 'm', target: 'name' },
      ]),
    );
    expect(rendered).toEqual({
      status: 400,
      unexpected: false,
      body: {
        error: {
          code: 'validation_failed',
          message: 'bad',
          target: 'name',
          details: [{ code: 'isString', message: 'm', target: 'name' }],
        },
      },
    });
  });

  it.each([
    [new NotFoundException('Cannot GET /secret?token=abc'), 404, 'not_found'],
    [new BadRequestException('Unexpected token } in JSON'), 400, 'validation_failed'],
    [new PayloadTooLargeException(), 413, 'payload_too_large'],
    [
      Object.assign(new Error('Unsupported Media Type: application/xml'), { statusCode: 415 }),
      415,
      'unsupported_media_type',
    ],
    [
      Object.assign(new Error('request entity too large'), {
        status: 413,
        type: 'entity.too.large',
      }),
      413,
      'payload_too_large',
    ],
  ])('maps framework errors by status, with a fixed message (%#)', (error, status, code) => {
    const rendered = renderError(error);
    expect(rendered.status).toBe(status);
    expect(rendered.body.error.code).toBe(code);
    expect(rendered.body.error.message).not.toBe((error as Error).message);
  });

  it('hides everything about unexpected errors, SQL included', () => {
    const error = new QueryFailedError(
      'SELECT * FROM api_keys WHERE secret_hash = $1',
      ['deadbeef'],
      new Error('relation does not exist'),
    );
    const rendered = renderError(error);
    expect(rendered).toEqual({
      status: 500,
      unexpected: true,
      body: { error: { code: 'internal_error', message: 'An internal error occurred.' } },
    });
    expect(JSON.stringify(rendered)).not.toMatch(/SELECT|deadbeef|relation/);
  });
});
