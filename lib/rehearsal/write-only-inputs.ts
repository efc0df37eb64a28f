/**
 * The rehearsal's check that an ephemeral input reaches no state (issue 23: the S3 secret key
 * and the seed source's password become workspace variables written write-only by the
 * terraform-cloud stack, "never in a state that does not need them"). Terraform keeps neither
 * ephemeral variables nor write-only arguments in state (Terraform >= 1.11); what the check
 * proves is that the stack uses them only that way, with the stand-ins' schema marking
 * write-only attributes as the real provider does.
 */
import { existsSync, readFileSync } from "node:fs";
import { ephemeralVariables } from "../synth/synthesis-summary";
import { stackFile } from "./workspace";

/**
 * For each of `stacks` declaring ephemeral inputs: the problems, one per input whose value
 * (from `values`) is found in the stack's state file `statePathOf(stack)`.
 */
export function ephemeralValuesInState(
  outdir: string,
  stacks: readonly string[],
  values: Readonly<Record<string, string>>,
  statePathOf: (stack: string) => string,
): Array<{ readonly stack: string; readonly inputs: string[]; readonly problems: string[] }> {
  return stacks.flatMap((stack) => {
    const inputs = ephemeralVariables(stackFile(outdir, stack)).sort();
    if (inputs.length === 0) return [];
    const path = statePathOf(stack);
    const state = existsSync(path) ? readFileSync(path, "utf8") : "";
    const problems = [
      ...(state === "" ? [`no state at ${path} to check`] : []),
      ...inputs
        .filter((name) => {
          const value = values[name];
          return value !== undefined && value !== "" && state.includes(value);
        })
        .map((name) => `the value of the ephemeral input ${name} is in the state`),
    ];
    return [{ stack, inputs, problems }];
  });
}
