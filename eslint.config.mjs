import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", "out/**", "build/**", "next-env.d.ts", "lib/db/generated/**", ".data/**", "bench-data/**", "test-results/**", "playwright-report/**"]),
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Playwright fixtures call their own `use`, not React's.
    files: ["e2e/**/*.ts"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    // lib/domain is pure: no framework, database or file-system imports.
    files: ["lib/domain/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["next", "next/*", "react", "react-dom", "@prisma/*", "pg", "node:fs", "fs", "@/lib/db/*", "@/lib/access/*"], message: "lib/domain is pure TypeScript." },
          ],
        },
      ],
    },
  },
  {
    // Components render what pages hand them; they never reach the database
    // (row types may be imported).
    files: ["components/**/*.ts", "components/**/*.tsx"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@/lib/db/*", "@/lib/access/*", "pg", "@prisma/*"], allowTypeImports: true, message: "Components render; data comes from server pages." },
          ],
        },
      ],
    },
  },
]);
