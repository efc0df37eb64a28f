import { parseCommandLine, runTool, ToolError, UsageError } from "../lib/cli/command-line";

const spec = {
  command: "npm run example",
  usage: "usage: npm run example [-- --json] [--side <name>]\n",
  flags: { json: { type: "boolean" }, side: { type: "string" } },
} as const;

/** Run the tool with `args`; its exit code, output and errors. */
async function run(args: string[], main: () => number | undefined | Promise<number> = () => 0) {
  let out = "";
  let err = "";
  let ran = false;
  const code = await runTool(
    spec,
    args,
    () => {
      ran = true;
      return main();
    },
    { out: (text) => (out += text), err: (text) => (err += text) },
  );
  return { code, out, err, ran };
}

describe("tools' command lines", () => {
  it("answer --help with the usage and exit 0 without running", async () => {
    for (const args of [["--help"], ["-h"], ["--side", "dev", "--help"], ["--bogus", "--help"]]) {
      expect(await run(args)).toEqual({ code: 0, out: spec.usage, err: "", ran: false });
    }
  });

  it("refuse an unknown flag, a missing value or a stray argument with the usage and exit 2", async () => {
    for (const [args, named] of [
      [["--bogus"], "--bogus"],
      [["--side"], "--side"],
      [["stray"], "stray"],
    ] as const) {
      const result = await run([...args]);
      expect(result).toMatchObject({ code: 2, out: "", ran: false });
      expect(result.err).toContain(named);
      expect(result.err.startsWith("npm run example: ")).toBe(true);
      expect(result.err.endsWith(spec.usage)).toBe(true);
    }
  });

  it("refuse flags the tool cannot run with like an unknown flag: the usage and exit 2", async () => {
    const result = await run(["--side", "dev"], () => {
      throw new UsageError("--side needs --json");
    });
    expect(result).toEqual({
      code: 2,
      out: "",
      err: `npm run example: --side needs --json\n\n${spec.usage}`,
      ran: true,
    });
  });

  it("hand the flags to the tool", () => {
    expect(parseCommandLine(spec, ["--json", "--side", "dev"])).toEqual({
      kind: "run",
      flags: { json: true, side: "dev" },
    });
    expect(parseCommandLine(spec, [])).toEqual({ kind: "run", flags: {} });
  });

  it("end a failure with one line and exit 1, never a stack trace", async () => {
    const told = await run([], () => {
      throw new ToolError("nothing is deployed yet: run npx cdktf deploy first");
    });
    expect(told).toMatchObject({ code: 1, out: "", ran: true });
    expect(told.err).toBe("nothing is deployed yet: run npx cdktf deploy first\n");
    const unexpected = await run([], () => {
      throw new Error("EACCES: permission denied, open 'x'");
    });
    expect(unexpected.err).toBe("npm run example: EACCES: permission denied, open 'x'\n");
  });

  it("pass on the tool's own exit code", async () => {
    expect((await run([], () => 1)).code).toBe(1);
    expect((await run([], () => undefined)).code).toBe(0);
  });
});
