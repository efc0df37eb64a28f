/**
 * The documentation is one connected set of pages: every relative link points at a file that
 * exists and, with an anchor, at a heading that exists there (GitHub's anchor rules), and
 * every page under docs/ can be reached from README.md.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { ROOT } from "./helpers/config";

/** The Markdown pages of the project (not node_modules, not generated output). */
function pages(): string[] {
  const found = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", "examples/README.md"];
  const walk = (folder: string) => {
    for (const entry of readdirSync(join(ROOT, folder), { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".md")) found.push(path);
    }
  };
  walk("docs");
  return found;
}

/** Markdown without its fenced code blocks and inline code. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens; repeats numbered. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of text.replace(/^```[\s\S]*?^```/gm, "").split("\n")) {
    const heading = /^#{1,6} (.+)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}_\- ]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${String(count)}`);
  }
  // Explicit anchors (<a id="...">) count too.
  for (const match of text.matchAll(/<a (?:id|name)="([^"]+)"/g)) anchors.add(match[1] ?? "");
  return anchors;
}

/** Relative link targets of a page: [text](target), outside code. */
function linksOf(text: string): string[] {
  return [...prose(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((match) => match[1] ?? "")
    .filter((target) => !/^[a-z]+:/i.test(target));
}

describe("documentation links", () => {
  const all = pages();
  const texts = new Map(all.map((page) => [page, readFileSync(join(ROOT, page), "utf8")]));

  it.each(all)("%s: every relative link and anchor resolves", (page) => {
    const broken: string[] = [];
    for (const target of linksOf(texts.get(page) ?? "")) {
      const [file = "", anchor] = target.split("#");
      const path = file === "" ? page : normalize(join(dirname(page), decodeURI(file)));
      if (!existsSync(join(ROOT, path))) {
        broken.push(`${target}: no file ${path}`);
        continue;
      }
      if (anchor !== undefined && path.endsWith(".md")) {
        const text = texts.get(path) ?? readFileSync(join(ROOT, path), "utf8");
        if (!anchorsOf(text).has(anchor))
          broken.push(`${target}: no heading #${anchor} in ${path}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("every page under docs/ is reachable from README.md", () => {
    const reached = new Set<string>(["README.md"]);
    const queue = ["README.md"];
    for (let page = queue.shift(); page !== undefined; page = queue.shift()) {
      for (const target of linksOf(texts.get(page) ?? "")) {
        const file = target.split("#")[0] ?? "";
        if (!file.endsWith(".md")) continue;
        const path = normalize(join(dirname(page), file));
        if (texts.has(path) && !reached.has(path)) {
          reached.add(path);
          queue.push(path);
        }
      }
    }
    const unreached = all.filter((page) => page.startsWith("docs") && !reached.has(page));
    expect(unreached.map((page) => relative(ROOT, join(ROOT, page)))).toEqual([]);
  });

  it("reads GitHub's anchors the way GitHub makes them", () => {
    const anchors = anchorsOf(
      "# Terraform Cloud / HCP Terraform\n## Moving a `cloud:` environment to `sides`\n## Tests\n## Tests\n",
    );
    expect([...anchors]).toEqual([
      "terraform-cloud--hcp-terraform",
      "moving-a-cloud-environment-to-sides",
      "tests",
      "tests-1",
    ]);
  });
});
