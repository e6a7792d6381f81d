// ESLint flat config: eslint and typescript-eslint recommended rules everywhere, plus the Pulumi
// rules that keep Outputs out of template literals (they read types, so TypeScript files are linted
// with type information from tsconfig.json).
const js = require("@eslint/js");
const { defineConfig, globalIgnores } = require("eslint/config");
const tseslint = require("typescript-eslint");
const pulumi = require("@pulumi/eslint-plugin");

module.exports = defineConfig(
    globalIgnores(["**/node_modules/", "bin/", "coverage/", "docs/", ".tools/"]),
    js.configs.recommended,
    tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: __dirname },
        },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            // `_name` marks a parameter a signature requires but the body does not use; `{ omitted, ...rest }` drops a key.
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
        },
    },
    {
        // CommonJS config files (this one, jest's) run in Node and load their plugins with require.
        files: ["**/*.js"],
        languageOptions: {
            sourceType: "commonjs",
            globals: { require: "readonly", module: "writable", __dirname: "readonly", process: "readonly" },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
