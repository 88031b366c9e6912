import path from 'node:path';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createRouter } from './router';
import { GitRepositories } from './service/GitRepositories';
import { parseRepoName } from './service/repoPaths';
import { runGit } from './service/runGit';

/**
 * The embedded Git host. Does nothing unless `gitHost.enabled` is true.
 *
 * @public
 */
export const gitHostPlugin = createBackendPlugin({
  pluginId: 'git-host',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ config, logger, httpRouter, discovery, auth }) {
        if (!config.getOptionalBoolean('gitHost.enabled')) {
          logger.info(
            'Embedded Git host is disabled; set gitHost.enabled: true to serve repositories',
          );
          return;
        }

        const root = path.resolve(
          config.getOptionalString('gitHost.root') ??
            path.join(process.cwd(), '.data', 'git'),
        );
        // Parse every name before creating anything, so a typo fails startup cleanly.
        const initialRepositories = (
          config.getOptionalStringArray('gitHost.initialRepositories') ?? []
        ).map(parseRepoName);
        const basicAuthConfig = config.getOptionalConfig('gitHost.basicAuth');
        const basicAuth = basicAuthConfig && {
          username: basicAuthConfig.getString('username'),
          password: basicAuthConfig.getString('password'),
        };

        const gitVersion = await runGit(['--version']).catch(error => {
          throw new Error(
            `The embedded Git host needs the git CLI (with git http-backend) on PATH: ${error}`,
          );
        });

        const repositories = await GitRepositories.open({ root });
        for (const repo of initialRepositories) {
          if (await repositories.createWithReadme(repo)) {
            logger.info('Created initial repository', {
              repository: repo.name,
            });
          }
        }

        const externalBaseUrl = await discovery.getExternalBaseUrl('git-host');
        httpRouter.use(
          await createRouter({
            repositories,
            logger,
            externalBaseUrl,
            basicAuth,
            auth,
          }),
        );
        // The catalog's URL reader cannot send Backstage tokens, so reads are
        // open; the router refuses any push without a valid token (or basicAuth).
        httpRouter.addAuthPolicy({ path: '/', allow: 'unauthenticated' });

        logger.info('Embedded Git host is serving repositories', {
          root,
          baseUrl: externalBaseUrl,
          basicAuth: Boolean(basicAuth),
          git: gitVersion.trim(),
          initialRepositories: initialRepositories.map(r => r.name).join(','),
        });
      },
    });
  },
});
