export interface Config {
  /** Start-up checks for production deployments. */
  preflight?: {
    /**
     * Values that must be non-empty: configuration keys in dot notation (`key`), or
     * environment variables a library reads itself (`env` alone). With a `key`, `env`
     * names the environment variable that usually provides it. `when` / `unless` make an
     * entry apply only when another key has (or has not) the given value.
     */
    required?: Array<{
      key?: string;
      env?: string;
      when?: { key: string; equals: string };
      unless?: { key: string; equals: string };
    }>;
  };
}
