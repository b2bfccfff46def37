// Schemas for the vector formats that ship without one, written from the serde structs of their
// generators (polkavm tools/spectool `TestcaseJson` / `TestcaseStep`, and the expected-results
// files produced beside polkavm-spec). jam-v0.4 uses its own schema.json instead.
import type { Schema } from './schema.ts';

const defs = {
  u8: { type: 'integer', minimum: 0, maximum: 255 },
  u32: { type: 'integer', minimum: 0, maximum: 4294967295 },
  u64: { type: 'integer', minimum: 0, maximum: 18446744073709551615n },
  i64: { type: 'integer', minimum: -9223372036854775808n, maximum: 9223372036854775807n },
  regs: { type: 'array', items: { $ref: '#/$defs/u64' }, minItems: 13, maxItems: 13 },
  chunk: {
    type: 'object',
    properties: { address: { $ref: '#/$defs/u32' }, contents: { type: 'array', items: { $ref: '#/$defs/u8' } } },
    required: ['address', 'contents'],
    additionalProperties: false,
  },
} as const satisfies Record<string, Schema>;

const step = (kind: string, properties: Record<string, Schema>, required: string[]): Schema => ({
  type: 'object',
  properties: { kind: { const: kind }, ...properties },
  required: ['kind', ...required],
  additionalProperties: false,
});

/** jam-gas-model/programs/*.json: spectool's "steps" format with `block-gas-costs` as an object. */
export const JAM_GAS_MODEL_SCHEMA: Schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    'initial-pc': { $ref: '#/$defs/u32' },
    'initial-gas': { $ref: '#/$defs/i64' },
    program: { type: 'array', items: { $ref: '#/$defs/u8' } },
    steps: {
      type: 'array',
      items: {
        oneOf: [
          step('run', {}, []),
          step('map', { address: { $ref: '#/$defs/u32' }, length: { $ref: '#/$defs/u32' }, is_writable: { type: 'boolean' } }, [
            'address',
            'length',
            'is_writable',
          ]),
          step('write', { address: { $ref: '#/$defs/u32' }, contents: { type: 'array', items: { $ref: '#/$defs/u8' } } }, ['address', 'contents']),
          step('set-reg', { reg: { type: 'integer', minimum: 0, maximum: 12 }, value: { $ref: '#/$defs/u64' } }, ['reg', 'value']),
          step(
            'assert',
            {
              status: { enum: ['halt', 'panic', 'page-fault', 'out-of-gas', 'ecalli'] },
              page_fault_address: { $ref: '#/$defs/u32' },
              hostcall: { $ref: '#/$defs/u32' },
              gas: { $ref: '#/$defs/i64' },
              pc: { $ref: '#/$defs/u32' },
              regs: { $ref: '#/$defs/regs' },
              memory: { type: 'array', items: { $ref: '#/$defs/chunk' } },
            },
            ['status', 'gas', 'pc', 'regs', 'memory'],
          ),
        ],
      },
    },
    'block-gas-costs': { type: 'object', propertyNames: { pattern: '^(0|[1-9][0-9]*)$' }, additionalProperties: { $ref: '#/$defs/u32' } },
  },
  required: ['name', 'initial-pc', 'initial-gas', 'program', 'steps', 'block-gas-costs'],
  additionalProperties: false,
  $defs: defs,
};

const specStop: Schema = {
  type: 'object',
  properties: {
    status: { type: 'string', pattern: '^(halt|panic|out-of-gas|ecalli\\([0-9]+\\)|page-fault\\(0x[0-9a-f]+\\))$' },
    pc: { oneOf: [{ $ref: '#/$defs/u32' }, { type: 'null' }] },
    gas: { $ref: '#/$defs/i64' },
  },
  required: ['status', 'pc', 'gas'],
  additionalProperties: false,
};

const specResult: Schema = {
  type: 'object',
  properties: {
    status: { enum: ['halt', 'panic', 'page-fault', 'out-of-gas'] },
    pc: { $ref: '#/$defs/u32' },
    gas: { $ref: '#/$defs/i64' },
    regs: { type: 'array', items: { type: 'string', pattern: '^(0|[1-9][0-9]*)$' }, minItems: 13, maxItems: 13 },
    pageFaultAddress: { oneOf: [{ $ref: '#/$defs/u32' }, { type: 'null' }] },
    steps: { oneOf: [{ type: 'array', items: specStop, minItems: 1 }, { type: 'null' }] },
  },
  required: ['status', 'pc', 'gas', 'regs', 'pageFaultAddress', 'steps'],
  additionalProperties: false,
};

/** polkavm-spec/expected/*.json: the reference results, once per cost model. */
export const POLKAVM_SPEC_EXPECTED_SCHEMA: Schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    isa: { const: 'JamV1' },
    memory: { const: 'dynamic paging' },
    naive: specResult,
    'full-l2': specResult,
  },
  required: ['name', 'isa', 'memory', 'naive', 'full-l2'],
  additionalProperties: false,
  $defs: defs,
};
