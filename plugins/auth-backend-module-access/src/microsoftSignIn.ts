import { AuditorService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import { microsoftSignInResolvers } from '@backstage/plugin-auth-backend-module-microsoft-provider';
import {
  OAuthAuthenticatorResult,
  PassportProfile,
  readDeclarativeSignInResolver,
  SignInResolver,
} from '@backstage/plugin-auth-node';
import { AUDIT_EVENTS } from '@internal/plugin-access-common';

type MicrosoftResult = OAuthAuthenticatorResult<PassportProfile>;

// The order the issue of record asks for, when config names none: the Entra
// object id the Graph org provider writes, then the email it writes.
const DEFAULT_RESOLVERS = [
  microsoftSignInResolvers.userIdMatchingUserEntityAnnotation(),
  microsoftSignInResolvers.emailMatchingUserEntityAnnotation(),
];

/**
 * The Microsoft sign-in resolver: the upstream resolvers listed in
 * `auth.providers.microsoft.<env>.signIn.resolvers` (or the two above), but a
 * user the catalog does not know is refused with a message the sign-in page
 * shows, and every refusal is audited.
 */
export function createEntraSignInResolver(options: {
  providerConfig?: Config;
  auditor?: AuditorService;
}): SignInResolver<MicrosoftResult> {
  const declared =
    options.providerConfig &&
    readDeclarativeSignInResolver<MicrosoftResult>({
      config: options.providerConfig,
      signInResolverFactories: microsoftSignInResolvers as any,
    });
  const resolve: SignInResolver<MicrosoftResult> =
    declared ??
    (async (info, ctx) => {
      for (const resolver of DEFAULT_RESOLVERS) {
        try {
          return await resolver(info, ctx);
        } catch (error) {
          if ((error as Error)?.name !== 'NotFoundError') throw error;
        }
      }
      throw new Error('unable to resolve user identity');
    });

  return async (info, ctx) => {
    try {
      return await resolve(info, ctx);
    } catch (cause) {
      const who =
        info.profile.email ??
        info.result.fullProfile?.id ??
        'this Microsoft account';
      const error = new NotAllowedError(
        `${who} signed in to Microsoft, but the portal has no user for it in the catalog. ` +
          "Users come from the Entra groups the platform team syncs; ask them to add you to your team's group.",
      );
      const event = await options.auditor?.createEvent({
        eventId: AUDIT_EVENTS.signIn,
        severityLevel: 'medium',
        meta: {
          actor: who,
          provider: 'microsoft',
          objectId: info.result.fullProfile?.id,
        },
      });
      await event?.fail({ error: cause as Error });
      throw error;
    }
  };
}
