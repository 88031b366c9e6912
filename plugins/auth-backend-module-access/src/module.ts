import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { microsoftAuthenticator } from '@backstage/plugin-auth-backend-module-microsoft-provider';
import {
  authOwnershipResolutionExtensionPoint,
  AuthProviderRouteHandlers,
  authProvidersExtensionPoint,
  createOAuthProviderFactory,
  OAuthEnvironmentHandler,
} from '@backstage/plugin-auth-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { Config, ConfigReader } from '@backstage/config';
import { createEntraSignInResolver } from './microsoftSignIn';
import { createAccessOwnershipResolver } from './ownership';

function withoutSignIn(config: Config) {
  const { signIn: _signIn, ...rest } = config.get<Record<string, any>>();
  return rest;
}

/**
 * Microsoft Entra ID sign-in with the upstream authenticator and our
 * resolver, and ownership through parent groups for every provider.
 * Replaces @backstage/plugin-auth-backend-module-microsoft-provider's module,
 * so that a user the catalog does not know is refused with a clear message.
 */
export const authModuleAccess = createBackendModule({
  pluginId: 'auth',
  moduleId: 'access',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        ownership: authOwnershipResolutionExtensionPoint,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        auditor: coreServices.auditor,
      },
      async init({ providers, ownership, catalog, auth, auditor }) {
        ownership.setAuthOwnershipResolver(
          createAccessOwnershipResolver({ catalog, auth, auditor }),
        );
        providers.registerProvider({
          providerId: 'microsoft',
          // One resolver per environment, each from its own signIn.resolvers.
          factory: options => {
            const handlers = new Map<string, AuthProviderRouteHandlers>();
            for (const env of options.config.keys()) {
              const envConfig = options.config.getConfig(env);
              handlers.set(
                env,
                createOAuthProviderFactory({
                  authenticator: microsoftAuthenticator,
                  signInResolver: createEntraSignInResolver({
                    providerConfig: envConfig,
                    auditor,
                  }),
                  // Our resolver reads signIn.resolvers itself; the factory must not.
                })({
                  ...options,
                  config: new ConfigReader({ [env]: withoutSignIn(envConfig) }),
                }),
              );
            }
            return new OAuthEnvironmentHandler(handlers);
          },
        });
      },
    });
  },
});
