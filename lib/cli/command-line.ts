/**
 * How every `npm run <tool>` reads its command line and ends: `--help` prints the usage and
 * exits 0 before anything else happens; an unknown flag, a missing value or a stray argument
 * is refused with the usage and exit 2; a failure is one line saying what to do next, exit 1,
 * never a stack trace. Options are parsed by Node's own `util.parseArgs` (strict mode).
 */
import { parseArgs } from "node:util";

/** A flag of a tool: `--name` (boolean) or `--name <value>` (string). */
export interface FlagSpec {
  readonly type: "boolean" | "string";
}

export interface CommandSpec<F extends Readonly<Record<string, FlagSpec>>> {
  /** How the user starts it, e.g. `npm run verify`. */
  readonly command: string;
  /** The usage text: synopsis, what it does, each flag. */
  readonly usage: string;
  readonly flags: F;
}

/** The flags given: booleans true when present, strings their value when given. */
export type FlagValues<F extends Readonly<Record<string, FlagSpec>>> = {
  readonly [K in keyof F]?: F[K]["type"] extends "boolean" ? boolean : string;
};

export type CommandLine<F extends Readonly<Record<string, FlagSpec>>> =
  | { readonly kind: "help" }
  | { readonly kind: "refused"; readonly reason: string }
  | { readonly kind: "run"; readonly flags: FlagValues<F> };

/** A failure the user can act on: its message is the whole line they see. */
export class ToolError extends Error {}

/**
 * A command line the tool cannot run with though every flag parsed (flags that must go
 * together, a value out of range): refused like an unknown flag, with the usage and exit 2.
 */
export class UsageError extends Error {}

/** Read `args` (what follows `npm run <tool> --`) against `spec`. */
export function parseCommandLine<F extends Readonly<Record<string, FlagSpec>>>(
  spec: CommandSpec<F>,
  args: readonly string[],
): CommandLine<F> {
  if (args.includes("--help") || args.includes("-h")) return { kind: "help" };
  try {
    const { values } = parseArgs({
      args: [...args],
      options: Object.fromEntries(
        Object.entries(spec.flags).map(([name, flag]) => [name, { type: flag.type }]),
      ),
      strict: true,
      allowPositionals: false,
    });
    return { kind: "run", flags: values as FlagValues<F> };
  } catch (error: unknown) {
    // parseArgs names the offending argument (ERR_PARSE_ARGS_UNKNOWN_OPTION and friends).
    return { kind: "refused", reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Where a tool writes; the process's streams outside tests. */
export interface ToolStreams {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const PROCESS_STREAMS: ToolStreams = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * Run a tool: parse the command line, then `main` with the flags; the exit code. `main`
 * returns its own exit code (1 for "checks failed") or throws: a {@link UsageError} is refused
 * with the usage and exit 2; a {@link ToolError}'s message is printed as it is, anything else
 * as `<command>: <message>`, both on one line.
 */
export async function runTool<F extends Readonly<Record<string, FlagSpec>>>(
  spec: CommandSpec<F>,
  args: readonly string[],
  main: (flags: FlagValues<F>) => number | undefined | Promise<number | undefined>,
  streams: ToolStreams = PROCESS_STREAMS,
): Promise<number> {
  const line = parseCommandLine(spec, args);
  if (line.kind === "help") {
    streams.out(`${spec.usage.trimEnd()}\n`);
    return 0;
  }
  const refuse = (reason: string) => {
    streams.err(`${spec.command}: ${reason}\n\n${spec.usage.trimEnd()}\n`);
    return 2;
  };
  if (line.kind === "refused") return refuse(line.reason);
  try {
    return (await main(line.flags)) ?? 0;
  } catch (error: unknown) {
    if (error instanceof UsageError) return refuse(error.message);
    const message = error instanceof Error ? error.message : String(error);
    streams.err(error instanceof ToolError ? `${message}\n` : `${spec.command}: ${message}\n`);
    return 1;
  }
}

/** {@link runTool} for a script's entry point: sets the process's exit code. */
export function startTool<F extends Readonly<Record<string, FlagSpec>>>(
  spec: CommandSpec<F>,
  main: (flags: FlagValues<F>) => number | undefined | Promise<number | undefined>,
): void {
  void runTool(spec, process.argv.slice(2), main).then((code) => {
    process.exitCode = code;
  });
}
