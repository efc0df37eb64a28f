"use strict";
// Preloaded by `npm run bench` (lib/bench/bench-cases.ts) into every Node process it times:
// report the peak resident memory (KiB) when the process ends.
process.on("exit", () => {
  process.stderr.write(`\nbench-maxrss=${process.resourceUsage().maxRSS}\n`);
});
