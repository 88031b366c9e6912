import { gitAuthOptions } from './gitAuth';

describe('gitAuthOptions', () => {
  it('sends basic credentials with the first request, and keeps onAuth for a retry', () => {
    const auth = { username: 'x-access-token', password: 's3cret' };
    const options = gitAuthOptions(auth);
    expect(options.headers).toEqual({
      Authorization: `Basic ${Buffer.from('x-access-token:s3cret').toString(
        'base64',
      )}`,
    });
    expect(options.onAuth!()).toBe(auth);
  });

  it('passes header credentials (an Azure DevOps bearer token) through as they are', () => {
    const auth = { headers: { Authorization: 'Bearer eyJ0' } };
    expect(gitAuthOptions(auth).headers).toEqual({
      Authorization: 'Bearer eyJ0',
    });
  });

  it('adds nothing without credentials', () => {
    expect(gitAuthOptions(undefined)).toEqual({});
  });
});
