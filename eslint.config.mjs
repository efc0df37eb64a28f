import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "cdktf.out/", "coverage/", "jest.config.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Node launchers in CommonJS (they run before any TypeScript is compiled).
    files: ["scripts/**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", __dirname: "readonly", process: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Issue 24: a function a reader can take in at once; longer ones become outlines of named
    // pieces (CONTRIBUTING.md, "Layout"). Tests are exempt: a describe block is not a function
    // anyone reads as one.
    files: ["lib/**/*.ts", "stacks/**/*.ts", "scripts/**/*.ts", "scripts/**/*.cjs", "main.ts"],
    rules: { "max-lines-per-function": ["error", { max: 120 }] },
  },
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^@cdktf/provider-[a-z-]+$",
              message:
                "Import provider classes from their own module (…/lib/<resource>): the package root loads every resource.",
            },
          ],
        },
      ],
    },
  },
);
