import { RestError, createHttpHeaders } from '@azure/core-rest-pipeline';
import { CredentialUnavailableError } from '@azure/identity';
import { describeAzureFailure, parseRetryAfter } from './faults';

const restError = (statusCode: number, headers: Record<string, string> = {}) =>
  new RestError('failed', {
    statusCode,
    response: {
      status: statusCode,
      headers: createHttpHeaders(headers),
      request: {} as any,
    },
  });

describe('describeAzureFailure', () => {
  it('reads Retry-After of a 429', () => {
    expect(
      describeAzureFailure(restError(429, { 'retry-after': '12' })),
    ).toEqual({
      status: 'throttled',
      retryAfterSeconds: 12,
      message: expect.stringContaining('12 seconds'),
    });
  });

  it('treats an unavailable credential and an ARM 401 as credential problems', () => {
    expect(
      describeAzureFailure(new CredentialUnavailableError('no identity'))
        ?.status,
    ).toBe('credentials');
    expect(describeAzureFailure(restError(401))?.status).toBe('credentials');
  });

  it('explains a 403 and leaves programming errors alone', () => {
    expect(describeAzureFailure(restError(403))?.message).toContain(
      'Monitoring Reader',
    );
    expect(
      describeAzureFailure(new TypeError('x is undefined')),
    ).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('7')).toBe(7);
    expect(
      parseRetryAfter(
        'Wed, 21 Oct 2015 07:28:30 GMT',
        Date.UTC(2015, 9, 21, 7, 28),
      ),
    ).toBe(30);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
