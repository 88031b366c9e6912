export * from '@internal/plugin-azure-monitor-common';
