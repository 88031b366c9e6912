import { isRestError } from '@azure/core-rest-pipeline';
import {
  AggregateAuthenticationError,
  AuthenticationError,
  AuthenticationRequiredError,
  CredentialUnavailableError,
} from '@azure/identity';
import { AzureProblem } from '@internal/plugin-azure-monitor-common';

const CREDENTIALS_MESSAGE =
  'Azure credentials failed or expired: renew the client secret in azure.credentials ' +
  '(or fix the workload or managed identity of the Backstage backend) and try again.';

/** Seconds to wait, from a Retry-After header in either of its two forms. */
export function parseRetryAfter(
  header: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

function isCredentialError(error: unknown): boolean {
  if (
    error instanceof AuthenticationError ||
    // What ClientSecretCredential throws when Entra ID refuses the secret (invalid_client).
    error instanceof AuthenticationRequiredError ||
    error instanceof CredentialUnavailableError ||
    error instanceof AggregateAuthenticationError
  ) {
    return true;
  }
  // Two copies of @azure/identity in node_modules defeat instanceof; the names still match.
  const name = (error as { name?: unknown } | undefined)?.name;
  return (
    name === 'AuthenticationError' ||
    name === 'AuthenticationRequiredError' ||
    name === 'CredentialUnavailableError' ||
    name === 'AggregateAuthenticationError'
  );
}

/**
 * What to tell the user about a failed call to Azure, or undefined when the error is
 * not one Azure is known to answer with (a bug, to be rethrown).
 */
export function describeAzureFailure(error: unknown): AzureProblem | undefined {
  if (isCredentialError(error)) {
    return { status: 'credentials', message: CREDENTIALS_MESSAGE };
  }
  if (isRestError(error)) {
    const status = error.statusCode;
    if (status === 429) {
      const retryAfterSeconds = parseRetryAfter(
        error.response?.headers.get('retry-after'),
      );
      return {
        status: 'throttled',
        retryAfterSeconds,
        message: `Azure Resource Manager is throttling requests${
          retryAfterSeconds !== undefined
            ? `; try again in ${retryAfterSeconds} seconds`
            : ''
        }. Showing the last data read.`,
      };
    }
    if (status === 401) {
      // ARM answers 401 ExpiredAuthenticationToken / InvalidAuthenticationToken.
      return { status: 'credentials', message: CREDENTIALS_MESSAGE };
    }
    if (status === 403) {
      return {
        status: 'unavailable',
        message:
          "The Backstage backend's Azure identity may not read these resources: grant it the Monitoring Reader role on their subscription or resource group.",
      };
    }
    return {
      status: 'unavailable',
      message: `Azure answered ${status ?? 'without a response'}${
        error.code ? ` (${error.code})` : ''
      }.`,
    };
  }
  return undefined;
}
