import { INSTRUCTIONS, INVALID, type OpId } from './table.ts';

/** Instruction sets, by the blob version byte that selects them (POLKAVM.md §1). */
export const Isa = Object.freeze({ ReviveV1: 0, Latest32: 1, Latest64: 2, JamV1: 3 } as const);
export type Isa = (typeof Isa)[keyof typeof Isa];
export type IsaName = keyof typeof Isa;

export const ISA_NAMES: readonly IsaName[] = ['ReviveV1', 'Latest32', 'Latest64', 'JamV1'];

/** The spellings accepted on the command line and in `%isa =` directives. */
const ISA_ALIASES: Readonly<Record<string, Isa>> = {
  revive_v1: Isa.ReviveV1,
  revivev1: Isa.ReviveV1,
  latest32: Isa.Latest32,
  latest64: Isa.Latest64,
  jam_v1: Isa.JamV1,
  jamv1: Isa.JamV1,
  jam: Isa.JamV1,
};

export function parseIsaName(text: string): Isa | undefined {
  return ISA_ALIASES[text.toLowerCase()];
}

export function isaName(isa: Isa): IsaName {
  return ISA_NAMES[isa]!;
}

/** The snake_case spelling polkatool uses (`%isa = jam_v1`). */
export function isaFlagName(isa: Isa): string {
  return ['revive_v1', 'latest32', 'latest64', 'jam_v1'][isa]!;
}

export function is64Bit(isa: Isa): boolean {
  return isa !== Isa.Latest32;
}

/** byte → op id per ISA; unknown bytes map to INVALID. */
export const DECODE_TABLES: readonly Uint8Array[] = ISA_NAMES.map((_, isa) => {
  const table = new Uint8Array(256).fill(INVALID);
  INSTRUCTIONS.forEach((row, id) => {
    const byte = row.opcodes[isa];
    if (byte !== null && byte !== undefined) table[byte] = id;
  });
  return table;
});

/** op id → byte per ISA; -1 where the ISA lacks the instruction. */
export const ENCODE_TABLES: readonly Int16Array[] = ISA_NAMES.map((_, isa) => {
  const table = new Int16Array(256).fill(-1);
  INSTRUCTIONS.forEach((row, id) => {
    const byte = row.opcodes[isa];
    if (byte !== null && byte !== undefined) table[id] = byte;
  });
  return table;
});

export function opcodeByte(isa: Isa, op: OpId): number | undefined {
  const byte = ENCODE_TABLES[isa]![op]!;
  return byte < 0 ? undefined : byte;
}
