import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Publish an HTTP service with a PostgreSQL database to every environment',
    example: yaml.stringify({
      steps: [
        {
          id: 'gitops',
          action: 'gitops:service:publish',
          name: 'Commit to the GitOps repository',
          input: {
            name: 'payments-api',
            owner: 'group:default/payments-team',
            system: 'system:default/payments',
            description: 'Authorises and captures payments',
            type: 'http',
            port: 8080,
            size: 'small',
            resources: [{ kind: 'Database', name: 'payments-db', size: 'small' }],
          },
        },
      ],
    }),
  },
  {
    description: 'Publish a worker to dev only',
    example: yaml.stringify({
      steps: [
        {
          id: 'gitops',
          action: 'gitops:service:publish',
          name: 'Commit to the GitOps repository',
          input: {
            name: 'ledger-worker',
            owner: 'group:default/payments-team',
            type: 'worker',
            environments: ['dev'],
          },
        },
      ],
    }),
  },
];
