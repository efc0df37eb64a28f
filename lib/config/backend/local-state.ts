import type { Config } from "../schema";

/**
 * Environment variable that keeps every stack's state in local files under the directory it
 * names (relative to the project), whatever backend the environment file gives: for the
 * rehearsal (npm run rehearse) and offline experiments. What the backend setting implies
 * otherwise (backend.workspaceSetup's terraform-cloud stack) is still synthesized.
 */
export const LOCAL_STATE_DIRECTORY_ENV = "HYBRID_LOCAL_STATE_DIRECTORY";

/** `config` with every state, the terraform-cloud stack's too, in local files under `directory`. */
export function withLocalState(config: Config, directory: string): Config {
  const local = { type: "local", directory } as const;
  const workspaceSetup = config.workspaceSetup && {
    ...config.workspaceSetup,
    stateBackend: local,
  };
  return { ...config, backend: local, ...(workspaceSetup ? { workspaceSetup } : {}) };
}
