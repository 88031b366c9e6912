export interface Config {
  /** Start-up checks for production deployments. */
  preflight?: {
    /**
     * Configuration keys that must have a non-empty value, in dot notation.
     * `env` names the environment variable that usually provides the value.
     */
    required?: Array<{ key: string; env?: string }>;
  };
}
