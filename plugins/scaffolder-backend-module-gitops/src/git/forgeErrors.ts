/** The HTTP status of a failed GitHub (Octokit) or Azure DevOps (azure-devops-node-api) call. */
export function statusOf(error: unknown): number | undefined {
  const e = error as any;
  // Octokit reports an unreachable host as status 500 without a response.
  if (e?.response) return e.response.status;
  return typeof e?.statusCode === 'number' ? e.statusCode : undefined;
}

/** The host's own words about the failure, short: never the whole body. */
function hostMessage(error: any): string | undefined {
  const data = error?.response?.data ?? error?.result;
  const details = Array.isArray(data?.errors)
    ? data.errors.map((d: any) => d?.message).filter(Boolean)
    : [];
  const message = [data?.message ?? error?.message, ...details].filter(Boolean).join(': ');
  return message ? message.slice(0, 200) : undefined;
}

/** A failed call to GitHub or Azure DevOps as one sentence: what failed, why, what to do. */
export function describeForgeError(error: unknown, what: string): Error {
  const status = statusOf(error);
  const e = error as any;
  if (status === undefined) {
    const reason = e?.cause?.code ?? e?.code ?? e?.message ?? 'no answer';
    return new Error(
      `${what} failed: could not reach the host (${reason}). Check the integration's URL in app-config and that the host is up.`,
    );
  }
  const said = hostMessage(e);
  const detail = `HTTP ${status}${said ? `, "${said}"` : ''}`;
  if (status === 401 || status === 403) {
    return new Error(
      `${what} failed: the host refused the credentials (${detail}). Check the token for this host under integrations in app-config, and that it may write to the repository.`,
    );
  }
  if (status === 404) {
    return new Error(
      `${what} failed: not found (HTTP 404). Check the repository URL, and that the integration's credentials can see it.`,
    );
  }
  return new Error(`${what} failed (${detail}).`);
}
