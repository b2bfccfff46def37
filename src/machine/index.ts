// What both backends execute against (memory, gas, registers, outcomes, instruction semantics).
export * from './interrupt.ts';
export * from './gas.ts';
export * from './layout.ts';
export * from './memory.ts';
export * from './state.ts';
export * from './ops.ts';
