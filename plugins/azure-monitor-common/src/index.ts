// Annotation keys and response shapes of /api/azure-monitor, shared by the backend and the cards.

export * from './annotations';
export * from './alerts';
export * from './types';
