// The Git host in a process of its own, as GitHub or Azure DevOps is to a deployed portal:
// the git-host plugin alone in a backend (scripts/bench/app-config.forge.yaml). The portal
// pushes with a static token (backend.auth.externalAccess); reads are open, as the embedded
// host's are. Run from the repository, with Backstage's transform, or from an assembled image:
//
//   node [--require @backstage/cli-node/config/nodeTransform.cjs] scripts/bench/forge.cjs \
//     --config <repo>/scripts/bench/app-config.forge.yaml
const from = { paths: [process.cwd()] };
const { createBackend } = require(require.resolve('@backstage/backend-defaults', from));
const { gitHostPlugin } = require(require.resolve('@internal/plugin-git-host-backend', from));

const backend = createBackend();
backend.add(gitHostPlugin);
backend.start();
