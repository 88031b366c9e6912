import {
  configApiRef,
  microsoftAuthApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import { createFrontendModule } from '@backstage/frontend-plugin-api';
import {
  SignInPageBlueprint,
  SignInPageProps,
} from '@backstage/plugin-app-react';
import { SignInPage } from '@backstage/core-components';
import { SIGN_IN_PROVIDERS_CONFIG_KEY } from '@internal/plugin-access-common';

const microsoft = {
  id: 'microsoft-auth-provider',
  title: 'Microsoft',
  message: 'Sign in with your Microsoft Entra ID account',
  apiRef: microsoftAuthApiRef,
};

// Which buttons the sign-in page shows comes from config, because the
// frontend cannot see auth.providers: Microsoft where it is set up, guest
// only in the embedded default.
function PortalSignInPage(props: SignInPageProps) {
  const config = useApi(configApiRef);
  const names = config.getOptionalStringArray(SIGN_IN_PROVIDERS_CONFIG_KEY) ?? [
    'guest',
  ];
  const providers = names.map(name =>
    name === 'microsoft' ? microsoft : ('guest' as const),
  );
  return <SignInPage {...props} providers={providers} />;
}

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SignInPageBlueprint.make({
      params: { loader: async () => PortalSignInPage },
    }),
  ],
});
