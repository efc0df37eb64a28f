import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UNNAMED_STATE_LOCATIONS } from "../config/backend/environment";
import { STATE_IDENTITY_ADDRESS } from "./state-identity";

export interface UnnamedStateProps {
  /** The environment's name. */
  readonly environment: string;
  /** Its local state directory, relative to `root`. */
  readonly directory: string;
  /** Its stacks. */
  readonly stackNames: readonly string[];
  /** The project root. */
  readonly root: string;
}

/** Terraform's JSON state, as far as the identity marker goes. */
interface StateFile {
  readonly resources?: ReadonlyArray<{
    readonly mode?: string;
    readonly type?: string;
    readonly name?: string;
    readonly instances?: ReadonlyArray<{
      readonly attributes?: { readonly output?: { readonly value?: { environment?: unknown } } };
    }>;
  }>;
}

/** The environment a state file's identity marker records, if it has one. */
function recordedEnvironment(path: string): string | undefined {
  let state: StateFile;
  try {
    state = JSON.parse(readFileSync(path, "utf8")) as StateFile;
  } catch {
    return undefined;
  }
  const [type, name] = STATE_IDENTITY_ADDRESS.split(".");
  const marker = state.resources?.find(
    (resource) => resource.mode === "managed" && resource.type === type && resource.name === name,
  );
  const recorded = marker?.instances?.[0]?.attributes?.output?.value?.environment;
  return typeof recorded === "string" ? recorded : undefined;
}

/**
 * Refuses a named environment's first synthesis while its stacks' state may still be where
 * state lived before environments had names (`state/<stack>.tfstate`): synthesized as is, its
 * stacks would plan everything anew beside the running deployment. State another environment
 * has claimed (its identity marker names it) is that environment's and not in the way.
 * Returns the message with the explicit move, or undefined when nothing is in the way.
 */
export function unnamedStateProblem(props: UnnamedStateProps): string | undefined {
  const legacy = UNNAMED_STATE_LOCATIONS.directory;
  if (props.directory !== `${legacy}/${props.environment}`) return undefined;
  const inTheWay = props.stackNames.filter((stack) => {
    const old = join(props.root, legacy, `${stack}.tfstate`);
    if (!existsSync(old) || existsSync(join(props.root, props.directory, `${stack}.tfstate`))) {
      return false;
    }
    const recorded = recordedEnvironment(old);
    return recorded === undefined || recorded === props.environment;
  });
  if (inTheWay.length === 0) return undefined;
  const files = inTheWay.map((stack) => `${legacy}/${stack}.tfstate`);
  return [
    `Environment ${props.environment} keeps its state in ${props.directory}/, but state written before environments had names is in ${legacy}/: ${files.join(", ")}.`,
    `If it is this environment's deployment, move it (state/*.tfstate.backup too, if you keep them), then synthesize again:`,
    `  mkdir -p ${props.directory} && mv ${files.join(" ")} ${props.directory}/`,
    `If it is another environment's (a file without environment:), apply that one once with this version: its state then records its name. Or keep this environment's state where it was with backend.directory: ${legacy}.`,
  ].join("\n");
}
