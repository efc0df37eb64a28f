/**
 * The problem every rule reports: the core's type, which every concept uses.
 */
import type { SourcePosition } from "./source-position";

/** One thing wrong with an environment file. */
export interface ConfigProblem {
  /** Dotted path of the offending field, e.g. `cloud.network.subnetCidr`. */
  readonly path: string;
  readonly value: unknown;
  readonly message: string;
  readonly hint: string;
  /** Where the file has it; the loader fills it in. @default unknown */
  readonly position?: SourcePosition;
}
