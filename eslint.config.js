// Lint rules, including the layer table of ../shared/DESIGN.md: imports only point down the list.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const src = 'packages/tributary/src'
// Each layer may import only from the layers listed after it.
const layers = [
  ['testing', []],
  ['observe', []],
  ['connect', []],
  ['runtime', ['testing', 'observe', 'connect']],
  ['dsl', ['runtime', 'testing', 'observe', 'connect']],
  ['topology', ['dsl', 'runtime', 'testing', 'observe', 'connect']],
  ['state', ['topology', 'dsl', 'runtime', 'testing', 'observe', 'connect']],
  ['log', ['state', 'topology', 'dsl', 'runtime', 'testing', 'observe', 'connect']],
  ['schema', ['log', 'state', 'topology', 'dsl', 'runtime', 'testing', 'observe', 'connect']],
  ['serde', ['schema', 'log', 'state', 'topology', 'dsl', 'runtime', 'testing', 'observe', 'connect']],
  [
    'http',
    ['serde', 'schema', 'log', 'state', 'topology', 'dsl', 'runtime', 'testing', 'observe', 'connect'],
  ],
]

const layerRules = layers
  .filter(([, forbidden]) => forbidden.length > 0)
  .map(([layer, forbidden]) => ({
    files: [`${src}/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbidden.map((up) => ({
            group: [`**/${up}/**`, `../${up}/*`, `../../${up}/*`],
            message: `${layer}/ sits below ${up}/ in DESIGN.md's layer table; imports only point down.`,
          })),
        },
      ],
    },
  }))

const leafRule = {
  files: [`${src}/*.ts`],
  ignores: [`${src}/index.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [{ group: ['./*/**'], message: 'leaf files import no layer' }] },
    ],
  },
}

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.data/**',
      '**/.tributary/**',
      'bench/.venv/**',
      'bench/peers/kafka-streams/target/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        Buffer: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  ...layerRules,
  leafRule,
)
