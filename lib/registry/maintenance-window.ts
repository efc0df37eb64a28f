/**
 * Shell building blocks of the maintenance jobs (garbage collection, backup): while a job's
 * flag file exists on the data volume, the auth proxy answers writes with 503.
 */

/** What every maintenance job's script needs. */
export interface MaintenanceScriptOptions {
  /** The registry's storage root. */
  readonly dataDir: string;
  /** This job's maintenance flag, one the auth proxy checks (writes get 503 while it exists). */
  readonly readOnlyFlag: string;
  /** Seconds between turning writes away and starting: writes in flight finish. */
  readonly drainSeconds: number;
}

/**
 * Run `command` in the background and wait for it: sh runs a trap only after its foreground
 * child ends, and Kubernetes kills the pod 30 s after SIGTERM.
 */
export function inBackground(command: string): string[] {
  return [`${command} &`, "child=$!", 'wait "$child"'];
}

/**
 * Lines that raise `flag`, always take it down again (EXIT trap; INT/TERM stop the running
 * child and exit), and wait `drainSeconds` for writes already in flight. The script must start
 * with `child=""`. `alsoOnExit` commands run in the EXIT trap after the flag is lifted (a job's
 * own cleanup, e.g. an unfinished file); without them the trap only lifts the flag.
 */
export function readOnlyWindow(
  flag: string,
  drainSeconds: number,
  alsoOnExit: readonly string[] = [],
): string[] {
  return [
    `mkdir -p ${flag.slice(0, flag.lastIndexOf("/"))}`,
    `trap '${[`rm -f ${flag}`, ...alsoOnExit].join("; ")}' EXIT`,
    `trap 'if [ -n "$child" ]; then kill "$child" 2>/dev/null || true; fi; exit 143' INT TERM`,
    `: > ${flag}`,
    `echo "read-only: writes get 503 until this job ends; waiting ${String(drainSeconds)}s for writes in flight"`,
    ...inBackground(`sleep ${String(drainSeconds)}`),
  ];
}
