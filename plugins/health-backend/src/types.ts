// The response types live in health-common, shared with the frontend cards.
export type {
  EntityHealth,
  EnvironmentApplication,
  EnvironmentRow,
  EnvironmentsResponse,
  ResourceRow,
  ResourcesResponse,
  VerdictResponse,
} from '@internal/plugin-health-common';
