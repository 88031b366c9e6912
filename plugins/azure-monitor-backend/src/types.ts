// The response types live in azure-monitor-common, shared with the cards.
export * from '@internal/plugin-azure-monitor-common';
