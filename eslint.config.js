// ESLint for the wall's browser JavaScript (assets/): ES modules in the browser, the
// recommended rules. `make lint` runs it (and `node --check` on every file).
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['node_modules/', '.venv/', 'build/'] },
  js.configs.recommended,
  {
    files: ['assets/**/*.js'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        ...globals.browser,
        Bokeh: 'readonly', // BokehJS, loaded by the Panel page (wall/bokeh-embed.js)
      },
    },
    rules: {
      'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none' }],
    },
  },
  {
    // Scripts the tests evaluate inside a page (one function expression, no module).
    files: ['tests/**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'script', globals: globals.browser },
  },
  {
    files: ['eslint.config.js'],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
];
