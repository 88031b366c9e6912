import path from 'node:path';
import { InputError } from '@backstage/errors';

/**
 * A repository segment is a lowercase DNS-1123 label, the same rule the
 * golden paths use for every generated name. Uppercase is rejected rather
 * than folded so that `Contoso/x` and `contoso/x` can never be two repositories.
 */
const SEGMENT = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Owners that would collide with the plugin's own routes (`/raw/...`). */
const RESERVED_OWNERS = new Set(['raw']);

/** A validated repository name: one segment (`gitops`) or two (`contoso/payments-api`). */
export interface RepoName {
  /** `contoso/payments-api` */
  readonly name: string;
  readonly segments: readonly string[];
}

export type GitEndpoint = 'info/refs' | 'git-upload-pack' | 'git-receive-pack';

const GIT_ENDPOINTS: readonly GitEndpoint[] = [
  'info/refs',
  'git-upload-pack',
  'git-receive-pack',
];

export type GitService = 'git-upload-pack' | 'git-receive-pack';

function explainInvalidSegment(segment: string): string | undefined {
  if (segment === '') return 'must not contain empty segments';
  if (segment === '.' || segment === '..')
    return 'must not contain "." or ".."';
  if (segment.length > 63) return 'segments must be at most 63 characters';
  if (/[A-Z]/.test(segment)) return 'must be lowercase';
  if (!SEGMENT.test(segment)) {
    return 'may contain only lowercase letters, digits and "-", and each segment must start and end with a letter or digit';
  }
  return undefined;
}

/** Checks a repository name such as `gitops` or `contoso/payments-api`. */
export function parseRepoName(name: string): RepoName {
  const segments = name.split('/');
  if (segments.length < 1 || segments.length > 2) {
    throw new InputError(
      `Invalid repository name "${name}": use "<name>" or "<owner>/<name>"`,
    );
  }
  for (const segment of segments) {
    const problem = explainInvalidSegment(segment);
    if (problem) {
      throw new InputError(`Invalid repository name "${name}": ${problem}`);
    }
  }
  if (segments.length === 2 && RESERVED_OWNERS.has(segments[0])) {
    throw new InputError(
      `Invalid repository name "${name}": "${segments[0]}" is reserved`,
    );
  }
  return { name: segments.join('/'), segments };
}

/** Splits a URL path on "/" and percent-decodes each segment, so "%2e%2e" is seen as "..". */
export function decodePathSegments(urlPath: string): string[] {
  return urlPath.split('/').map(segment => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new InputError('Malformed percent-encoding in path');
    }
    if (decoded.includes('/') || decoded.includes('\\')) {
      throw new InputError('Path segments must not contain encoded slashes');
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(decoded)) {
      throw new InputError('Path must not contain control characters');
    }
    return decoded;
  });
}

/**
 * Parses the path of a smart-HTTP request relative to the plugin root,
 * e.g. `/contoso/demo.git/info/refs`, into the repository and endpoint.
 * Nothing here touches the filesystem.
 */
export function parseGitRequestPath(urlPath: string): {
  repo: RepoName;
  endpoint: GitEndpoint;
} {
  const endpoint = GIT_ENDPOINTS.find(e => urlPath.endsWith(`.git/${e}`));
  if (!endpoint) {
    throw new InputError(
      'Expected /<repository>.git/info/refs, /git-upload-pack or /git-receive-pack',
    );
  }
  const repoPart = urlPath.slice(0, -`.git/${endpoint}`.length);
  if (!repoPart.startsWith('/')) {
    throw new InputError('Repository path must be relative to the Git host');
  }
  const segments = decodePathSegments(repoPart.slice(1));
  return { repo: parseRepoName(segments.join('/')), endpoint };
}

/** The query parameter of `info/refs`; only the smart protocol is served. */
export function parseGitService(service: unknown): GitService {
  if (service === 'git-upload-pack' || service === 'git-receive-pack') {
    return service;
  }
  throw new InputError(
    'Only smart HTTP is supported: info/refs needs ?service=git-upload-pack or ?service=git-receive-pack',
  );
}

/**
 * A branch, tag or commit id usable in `<ref>:<path>`. Stricter than
 * `git check-ref-format`: revision syntax (`~`, `^`, `@{`, `:`) is not
 * allowed, so a ref can only ever name a ref or an object id.
 */
export function explainInvalidRef(ref: string): string | undefined {
  if (ref === '') return 'must not be empty';
  if (ref.startsWith('-')) return 'must not start with "-"';
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(ref)) {
    return 'may contain only letters, digits, ".", "_", "-" and "/"';
  }
  if (ref.includes('..') || ref.includes('//') || ref.includes('/.')) {
    return 'must not contain "..", "//" or "/."';
  }
  if (ref.endsWith('/') || ref.endsWith('.') || ref.endsWith('.lock')) {
    return 'must not end with "/", "." or ".lock"';
  }
  return undefined;
}

/** A file path inside a repository: relative, no "." or ".." segments, no leading "-". */
export function explainInvalidFilePath(
  segments: readonly string[],
): string | undefined {
  if (segments.length === 0) return 'must not be empty';
  if (segments[0].startsWith('-')) return 'must not start with "-"';
  for (const segment of segments) {
    if (segment === '') return 'must not contain empty segments';
    if (segment === '.' || segment === '..')
      return 'must not contain "." or ".."';
  }
  return undefined;
}

/**
 * Where a repository lives on disk. Names are validated first, and the
 * result is checked to stay under the root as a second line of defence.
 */
export function repoDirectory(root: string, repo: RepoName): string {
  const resolvedRoot = path.resolve(root);
  const directory = `${path.resolve(resolvedRoot, ...repo.segments)}.git`;
  if (!directory.startsWith(`${resolvedRoot}${path.sep}`)) {
    throw new InputError(
      `Repository "${repo.name}" is outside the Git host root`,
    );
  }
  return directory;
}
