// Flat config modelled on the Effect v3 monorepo's eslint.config.mjs: eslint + typescript-eslint
// recommended rules (no type-aware linting, to keep `pnpm lint` fast), formatting through
// @effect/eslint-plugin's dprint rule, and deep `effect/Module` imports in library sources.
import * as effectEslint from "@effect/eslint-plugin"
import js from "@eslint/js"
import tseslint from "typescript-eslint"

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/node_modules/**",
      "**/.tsbuildinfo/**",
      "**/*.tsbuildinfo",
      "**/bench/generated/**",
      "**/coverage/**",
      "**/.ci-out/**",
      "**/*.md"
    ]
  },
  {
    files: ["**/*.{ts,mts,cts,mjs,js}"]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // `configs.dprint` = the plugin registered as "@effect" + eslint's formatting rules turned off.
  ...effectEslint.configs.dprint,
  {
    languageOptions: {
      parser: tseslint.parser,
      ecmaVersion: 2022,
      sourceType: "module"
    },
    rules: {
      // TypeScript already reports undefined names; the .mjs scripts run on Node only.
      "no-undef": "off",
      "no-fallthrough": "off",
      "no-irregular-whitespace": "off",
      "object-shorthand": "error",
      "prefer-destructuring": "off",
      "sort-imports": "off",
      "no-restricted-syntax": ["error", {
        selector: "CallExpression[callee.property.name='push'] > SpreadElement.arguments",
        message: "Do not use spread arguments in Array.push"
      }],
      "no-unused-vars": "off",
      "prefer-rest-params": "off",
      "prefer-spread": "off",
      "@typescript-eslint/array-type": ["warn", { default: "generic", readonly: "generic" }],
      "@typescript-eslint/consistent-type-imports": "warn",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-empty-object-type": "off",
      "@typescript-eslint/no-namespace": "off",
      "@typescript-eslint/no-array-constructor": "off",
      "@typescript-eslint/no-use-before-define": "off",
      "@typescript-eslint/ban-ts-comment": "off",
      "@effect/dprint": ["error", {
        config: {
          indentWidth: 2,
          lineWidth: 120,
          semiColons: "asi",
          quoteStyle: "alwaysDouble",
          trailingCommas: "never",
          operatorPosition: "maintain",
          "arrowFunction.useParentheses": "force"
        }
      }]
    }
  },
  {
    // Library code: no console output, and deep module imports (`import * as Effect from "effect/Effect"`)
    // instead of the barrel (`import { Effect } from "effect"`). Tests and examples use the barrel.
    files: ["packages/*/src/**/*.ts"],
    rules: {
      "no-console": "error",
      "@effect/no-import-from-barrel-package": ["error", {
        packageNames: ["effect", "@effect/platform", "@effect/platform-node"]
      }]
    }
  }
)
