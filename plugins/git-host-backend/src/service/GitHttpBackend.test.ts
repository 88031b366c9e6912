import { parseCgiHeaders } from './GitHttpBackend';

describe('parseCgiHeaders', () => {
  it('turns Status into the HTTP status and keeps the other headers', () => {
    expect(
      parseCgiHeaders(
        'Status: 404 Not Found\r\nExpires: Fri, 01 Jan 1980 00:00:00 GMT\r\nContent-Type: text/plain',
      ),
    ).toEqual({
      status: 404,
      headers: [
        ['Expires', 'Fri, 01 Jan 1980 00:00:00 GMT'],
        ['Content-Type', 'text/plain'],
      ],
    });
  });

  it('defaults to 200 without a Status header', () => {
    expect(
      parseCgiHeaders(
        'Content-Type: application/x-git-upload-pack-advertisement',
      ).status,
    ).toBe(200);
  });
});
