import {
  defaultUserTransformer,
  UserTransformer,
} from '@backstage/plugin-catalog-backend-module-msgraph';

/** The upstream user mapping, minus the accounts Entra has disabled. */
export const entraUserTransformer: UserTransformer = async (
  user,
  userPhoto,
) => {
  if (user.accountEnabled === false) {
    return undefined;
  }
  return defaultUserTransformer(user, userPhoto);
};
