export type {
  EnvironmentRow,
  EnvironmentsResponse,
  ResourceRow,
  ResourcesResponse,
  VerdictResponse,
} from '@internal/plugin-health-common';
