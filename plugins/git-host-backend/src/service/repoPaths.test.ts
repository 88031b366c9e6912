import path from 'node:path';
import {
  explainInvalidRef,
  parseGitRequestPath,
  parseRepoName,
  repoDirectory,
} from './repoPaths';

describe('parseRepoName', () => {
  it('accepts one or two lowercase DNS-1123 labels', () => {
    expect(parseRepoName('gitops').segments).toEqual(['gitops']);
    expect(parseRepoName('contoso/payments-api')).toEqual({
      name: 'contoso/payments-api',
      segments: ['contoso', 'payments-api'],
    });
  });

  it.each([
    ['', 'must not contain empty segments'],
    ['..', 'must not contain "." or ".."'],
    ['a/../b', 'use "<name>" or "<owner>/<name>"'],
    ['contoso/..', 'must not contain "." or ".."'],
    ['/etc', 'must not contain empty segments'],
    ['a/b/c', 'use "<name>" or "<owner>/<name>"'],
    ['Contoso/demo', 'must be lowercase'],
    ['-demo', 'must start and end with a letter or digit'],
    ['demo_api', 'may contain only lowercase letters'],
    ['raw/demo', '"raw" is reserved'],
    ['x'.repeat(64), 'at most 63 characters'],
  ])('rejects %j', (name, message) => {
    expect(() => parseRepoName(name)).toThrow(message);
  });
});

describe('parseGitRequestPath', () => {
  it('splits the repository from the endpoint', () => {
    expect(parseGitRequestPath('/contoso/demo.git/git-receive-pack')).toEqual({
      repo: { name: 'contoso/demo', segments: ['contoso', 'demo'] },
      endpoint: 'git-receive-pack',
    });
  });

  it('decodes segments before checking them', () => {
    expect(() => parseGitRequestPath('/%2e%2e/demo.git/info/refs')).toThrow(
      '".."',
    );
    expect(() => parseGitRequestPath('/a%2fb.git/info/refs')).toThrow(
      'encoded slashes',
    );
    expect(() => parseGitRequestPath('/%zz.git/info/refs')).toThrow(
      'percent-encoding',
    );
  });

  it('rejects anything but the smart HTTP endpoints', () => {
    expect(() => parseGitRequestPath('/demo.git/objects/info/packs')).toThrow(
      'Expected /<repository>.git/',
    );
  });
});

describe('explainInvalidRef', () => {
  it.each(['main', 'feature/docs', 'v1.2.3', 'a'.repeat(40)])(
    'accepts %j',
    ref => {
      expect(explainInvalidRef(ref)).toBeUndefined();
    },
  );

  it.each([
    '-main',
    'main~1',
    'main^',
    'a..b',
    'HEAD@{1}',
    'a:b',
    'x.lock',
    'a//b',
    'a/',
  ])('rejects %j', ref => {
    expect(explainInvalidRef(ref)).toBeDefined();
  });
});

describe('repoDirectory', () => {
  it('places repositories under the root', () => {
    expect(repoDirectory('/srv/git', parseRepoName('contoso/demo'))).toBe(
      path.join('/srv/git', 'contoso', 'demo.git'),
    );
  });
});
