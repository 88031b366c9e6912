import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { MarkdownContent } from '@backstage/core-components';

const content = `
## Welcome to the Contoso developer portal

- **Find a service:** the [catalog](/catalog) lists every component, API and
  cloud resource, with its owner and where it runs.
- **Start a new service:** a [golden path](/create) turns a short form into a
  repository and a GitOps commit; ArgoCD and Crossplane do the rest.
- **See how it runs:** open a component for its pods, sync status and alerts.
`;

const gettingStartedWidget = HomePageWidgetBlueprint.make({
  name: 'getting-started',
  params: {
    name: 'GettingStarted',
    title: 'Getting Started',
    description: 'Tips and links to help you get started with Backstage',
    components: async () => ({
      Content: () => <MarkdownContent content={content} />,
    }),
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [gettingStartedWidget],
});
