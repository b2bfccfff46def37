// THE instruction table: every PolkaVM instruction is declared here once. Decoder, block analysis,
// disassembler, assembler, interpreter, code generator and cost models all read it, so adding or
// renumbering an instruction is a one-line change.
//
// Opcode columns are in blob-version order: [ReviveV1 (v0), Latest32 (v1), Latest64 (v2), JamV1 (v3)];
// null = not part of that instruction set (decodes as `invalid`). Source: polkavm program.rs
// define_instruction_set! blocks, digested in shared/spec/POLKAVM.md appendix A.

/** How the argument bytes after the opcode are laid out (POLKAVM.md §2.1). */
export type OperandForm =
  | 'none'
  | 'imm'
  | 'offset'
  | 'imm_imm'
  | 'reg_imm'
  | 'reg_imm_imm'
  | 'reg_imm_offset'
  | 'reg_reg'
  | 'reg_reg_imm'
  | 'reg_reg_offset'
  | 'reg_reg_reg'
  | 'reg_reg_imm_imm'
  | 'reg_imm64';

/** Ends a basic block (polkavm `starts_new_basic_block`): the next instruction is a valid jump target. */
export const END = 1;
/** Control never continues at the next pc (polkavm `!can_fallthrough`). */
export const NO_FALLTHROUGH = 2;

type Opcodes = readonly [number | null, number | null, number | null, number | null];

function row<const N extends string, const F extends OperandForm>(name: N, form: F, opcodes: Opcodes, flags: number) {
  return { name, form, opcodes, flags } as const;
}

const ROWS = [
  row('trap', 'none', [0, 0, 0, 0], END | NO_FALLTHROUGH),
  row('fallthrough', 'none', [1, 1, 1, 1], END),
  row('memset', 'none', [null, 2, 2, null], 0),
  row('unlikely', 'none', [null, 3, 3, 2], 0),
  row('ecalli', 'imm', [10, 10, 10, 10], 0),
  row('load_imm64', 'reg_imm64', [20, null, 20, 20], 0),
  row('store_imm_u8', 'imm_imm', [30, 30, 30, 30], 0),
  row('store_imm_u16', 'imm_imm', [31, 31, 31, 31], 0),
  row('store_imm_u32', 'imm_imm', [32, 32, 32, 32], 0),
  row('store_imm_u64', 'imm_imm', [33, null, 33, 33], 0),
  row('jump', 'offset', [40, 40, 40, 40], END | NO_FALLTHROUGH),
  row('jump_indirect', 'reg_imm', [50, 50, 50, 50], END | NO_FALLTHROUGH),
  row('load_imm', 'reg_imm', [51, 51, 51, 51], 0),
  row('load_u8', 'reg_imm', [52, 52, 52, 52], 0),
  row('load_i8', 'reg_imm', [53, 53, 53, 53], 0),
  row('load_u16', 'reg_imm', [54, 54, 54, 54], 0),
  row('load_i16', 'reg_imm', [55, 55, 55, 55], 0),
  row('load_u32', 'reg_imm', [56, null, 56, 56], 0),
  row('load_i32', 'reg_imm', [57, 57, 57, 57], 0),
  row('load_u64', 'reg_imm', [58, null, 58, 58], 0),
  row('store_u8', 'reg_imm', [59, 59, 59, 59], 0),
  row('store_u16', 'reg_imm', [60, 60, 60, 60], 0),
  row('store_u32', 'reg_imm', [61, 61, 61, 61], 0),
  row('store_u64', 'reg_imm', [62, null, 62, 62], 0),
  row('store_imm_indirect_u8', 'reg_imm_imm', [70, 70, 70, 70], 0),
  row('store_imm_indirect_u16', 'reg_imm_imm', [71, 71, 71, 71], 0),
  row('store_imm_indirect_u32', 'reg_imm_imm', [72, 72, 72, 72], 0),
  row('store_imm_indirect_u64', 'reg_imm_imm', [73, null, 73, 73], 0),
  row('load_imm_and_jump', 'reg_imm_offset', [80, 80, 80, 80], END | NO_FALLTHROUGH),
  row('branch_eq_imm', 'reg_imm_offset', [81, 81, 81, 81], END),
  row('branch_not_eq_imm', 'reg_imm_offset', [82, 82, 82, 82], END),
  row('branch_less_unsigned_imm', 'reg_imm_offset', [83, 83, 83, 83], END),
  row('branch_less_or_equal_unsigned_imm', 'reg_imm_offset', [84, 84, 84, 84], END),
  row('branch_greater_or_equal_unsigned_imm', 'reg_imm_offset', [85, 85, 85, 85], END),
  row('branch_greater_unsigned_imm', 'reg_imm_offset', [86, 86, 86, 86], END),
  row('branch_less_signed_imm', 'reg_imm_offset', [87, 87, 87, 87], END),
  row('branch_less_or_equal_signed_imm', 'reg_imm_offset', [88, 88, 88, 88], END),
  row('branch_greater_or_equal_signed_imm', 'reg_imm_offset', [89, 89, 89, 89], END),
  row('branch_greater_signed_imm', 'reg_imm_offset', [90, 90, 90, 90], END),
  row('move_reg', 'reg_reg', [100, 100, 100, 100], 0),
  row('sbrk', 'reg_reg', [null, 101, 101, null], 0),
  row('count_set_bits_64', 'reg_reg', [102, null, 102, 101], 0),
  row('count_set_bits_32', 'reg_reg', [103, 103, 103, 102], 0),
  row('count_leading_zero_bits_64', 'reg_reg', [104, null, 104, 103], 0),
  row('count_leading_zero_bits_32', 'reg_reg', [105, 105, 105, 104], 0),
  row('count_trailing_zero_bits_64', 'reg_reg', [106, null, 106, 105], 0),
  row('count_trailing_zero_bits_32', 'reg_reg', [107, 107, 107, 106], 0),
  row('sign_extend_8', 'reg_reg', [108, 108, 108, 107], 0),
  row('sign_extend_16', 'reg_reg', [109, 109, 109, 108], 0),
  row('zero_extend_16', 'reg_reg', [110, 110, 110, 109], 0),
  row('reverse_byte', 'reg_reg', [111, 111, 111, 110], 0),
  row('store_indirect_u8', 'reg_reg_imm', [120, 120, 120, 120], 0),
  row('store_indirect_u16', 'reg_reg_imm', [121, 121, 121, 121], 0),
  row('store_indirect_u32', 'reg_reg_imm', [122, 122, 122, 122], 0),
  row('store_indirect_u64', 'reg_reg_imm', [123, null, 123, 123], 0),
  row('load_indirect_u8', 'reg_reg_imm', [124, 124, 124, 124], 0),
  row('load_indirect_i8', 'reg_reg_imm', [125, 125, 125, 125], 0),
  row('load_indirect_u16', 'reg_reg_imm', [126, 126, 126, 126], 0),
  row('load_indirect_i16', 'reg_reg_imm', [127, 127, 127, 127], 0),
  row('load_indirect_u32', 'reg_reg_imm', [128, null, 128, 128], 0),
  row('load_indirect_i32', 'reg_reg_imm', [129, 129, 129, 129], 0),
  row('load_indirect_u64', 'reg_reg_imm', [130, null, 130, 130], 0),
  row('add_imm_32', 'reg_reg_imm', [131, 131, 131, 131], 0),
  row('and_imm', 'reg_reg_imm', [132, 132, 132, 132], 0),
  row('xor_imm', 'reg_reg_imm', [133, 133, 133, 133], 0),
  row('or_imm', 'reg_reg_imm', [134, 134, 134, 134], 0),
  row('mul_imm_32', 'reg_reg_imm', [135, 135, 135, 135], 0),
  row('set_less_than_unsigned_imm', 'reg_reg_imm', [136, 136, 136, 136], 0),
  row('set_less_than_signed_imm', 'reg_reg_imm', [137, 137, 137, 137], 0),
  row('shift_logical_left_imm_32', 'reg_reg_imm', [138, 138, 138, 138], 0),
  row('shift_logical_right_imm_32', 'reg_reg_imm', [139, 139, 139, 139], 0),
  row('shift_arithmetic_right_imm_32', 'reg_reg_imm', [140, 140, 140, 140], 0),
  row('negate_and_add_imm_32', 'reg_reg_imm', [141, 141, 141, 141], 0),
  row('set_greater_than_unsigned_imm', 'reg_reg_imm', [142, 142, 142, 142], 0),
  row('set_greater_than_signed_imm', 'reg_reg_imm', [143, 143, 143, 143], 0),
  row('shift_logical_left_imm_alt_32', 'reg_reg_imm', [144, 144, 144, 144], 0),
  row('shift_logical_right_imm_alt_32', 'reg_reg_imm', [145, 145, 145, 145], 0),
  row('shift_arithmetic_right_imm_alt_32', 'reg_reg_imm', [146, 146, 146, 146], 0),
  row('cmov_if_zero_imm', 'reg_reg_imm', [147, 147, 147, 147], 0),
  row('cmov_if_not_zero_imm', 'reg_reg_imm', [148, 148, 148, 148], 0),
  row('add_imm_64', 'reg_reg_imm', [149, null, 149, 149], 0),
  row('mul_imm_64', 'reg_reg_imm', [150, null, 150, 150], 0),
  row('shift_logical_left_imm_64', 'reg_reg_imm', [151, null, 151, 151], 0),
  row('shift_logical_right_imm_64', 'reg_reg_imm', [152, null, 152, 152], 0),
  row('shift_arithmetic_right_imm_64', 'reg_reg_imm', [153, null, 153, 153], 0),
  row('negate_and_add_imm_64', 'reg_reg_imm', [154, null, 154, 154], 0),
  row('shift_logical_left_imm_alt_64', 'reg_reg_imm', [155, null, 155, 155], 0),
  row('shift_logical_right_imm_alt_64', 'reg_reg_imm', [156, null, 156, 156], 0),
  row('shift_arithmetic_right_imm_alt_64', 'reg_reg_imm', [157, null, 157, 157], 0),
  row('rotate_right_imm_64', 'reg_reg_imm', [158, null, 158, 158], 0),
  row('rotate_right_imm_alt_64', 'reg_reg_imm', [159, null, 159, 159], 0),
  row('rotate_right_imm_32', 'reg_reg_imm', [160, 160, 160, 160], 0),
  row('rotate_right_imm_alt_32', 'reg_reg_imm', [161, 161, 161, 161], 0),
  row('branch_eq', 'reg_reg_offset', [170, 170, 170, 170], END),
  row('branch_not_eq', 'reg_reg_offset', [171, 171, 171, 171], END),
  row('branch_less_unsigned', 'reg_reg_offset', [172, 172, 172, 172], END),
  row('branch_less_signed', 'reg_reg_offset', [173, 173, 173, 173], END),
  row('branch_greater_or_equal_unsigned', 'reg_reg_offset', [174, 174, 174, 174], END),
  row('branch_greater_or_equal_signed', 'reg_reg_offset', [175, 175, 175, 175], END),
  row('load_imm_and_jump_indirect', 'reg_reg_imm_imm', [180, 180, 180, 180], END | NO_FALLTHROUGH),
  row('add_32', 'reg_reg_reg', [190, 190, 190, 190], 0),
  row('sub_32', 'reg_reg_reg', [191, 191, 191, 191], 0),
  row('mul_32', 'reg_reg_reg', [192, 192, 192, 192], 0),
  row('div_unsigned_32', 'reg_reg_reg', [193, 193, 193, 193], 0),
  row('div_signed_32', 'reg_reg_reg', [194, 194, 194, 194], 0),
  row('rem_unsigned_32', 'reg_reg_reg', [195, 195, 195, 195], 0),
  row('rem_signed_32', 'reg_reg_reg', [196, 196, 196, 196], 0),
  row('shift_logical_left_32', 'reg_reg_reg', [197, 197, 197, 197], 0),
  row('shift_logical_right_32', 'reg_reg_reg', [198, 198, 198, 198], 0),
  row('shift_arithmetic_right_32', 'reg_reg_reg', [199, 199, 199, 199], 0),
  row('add_64', 'reg_reg_reg', [200, null, 200, 200], 0),
  row('sub_64', 'reg_reg_reg', [201, null, 201, 201], 0),
  row('mul_64', 'reg_reg_reg', [202, null, 202, 202], 0),
  row('div_unsigned_64', 'reg_reg_reg', [203, null, 203, 203], 0),
  row('div_signed_64', 'reg_reg_reg', [204, null, 204, 204], 0),
  row('rem_unsigned_64', 'reg_reg_reg', [205, null, 205, 205], 0),
  row('rem_signed_64', 'reg_reg_reg', [206, null, 206, 206], 0),
  row('shift_logical_left_64', 'reg_reg_reg', [207, null, 207, 207], 0),
  row('shift_logical_right_64', 'reg_reg_reg', [208, null, 208, 208], 0),
  row('shift_arithmetic_right_64', 'reg_reg_reg', [209, null, 209, 209], 0),
  row('and', 'reg_reg_reg', [210, 210, 210, 210], 0),
  row('xor', 'reg_reg_reg', [211, 211, 211, 211], 0),
  row('or', 'reg_reg_reg', [212, 212, 212, 212], 0),
  row('mul_upper_signed_signed', 'reg_reg_reg', [213, 213, 213, 213], 0),
  row('mul_upper_unsigned_unsigned', 'reg_reg_reg', [214, 214, 214, 214], 0),
  row('mul_upper_signed_unsigned', 'reg_reg_reg', [215, 215, 215, 215], 0),
  row('set_less_than_unsigned', 'reg_reg_reg', [216, 216, 216, 216], 0),
  row('set_less_than_signed', 'reg_reg_reg', [217, 217, 217, 217], 0),
  row('cmov_if_zero', 'reg_reg_reg', [218, 218, 218, 218], 0),
  row('cmov_if_not_zero', 'reg_reg_reg', [219, 219, 219, 219], 0),
  row('rotate_left_64', 'reg_reg_reg', [220, null, 220, 220], 0),
  row('rotate_left_32', 'reg_reg_reg', [221, 221, 221, 221], 0),
  row('rotate_right_64', 'reg_reg_reg', [222, null, 222, 222], 0),
  row('rotate_right_32', 'reg_reg_reg', [223, 223, 223, 223], 0),
  row('and_inverted', 'reg_reg_reg', [224, 224, 224, 224], 0),
  row('or_inverted', 'reg_reg_reg', [225, 225, 225, 225], 0),
  row('xnor', 'reg_reg_reg', [226, 226, 226, 226], 0),
  row('maximum', 'reg_reg_reg', [227, 227, 227, 227], 0),
  row('maximum_unsigned', 'reg_reg_reg', [228, 228, 228, 228], 0),
  row('minimum', 'reg_reg_reg', [229, 229, 229, 229], 0),
  row('minimum_unsigned', 'reg_reg_reg', [230, 230, 230, 230], 0),
] as const;

export type InstructionRow = (typeof ROWS)[number];
export type OpName = InstructionRow['name'];
/** The operand form of a given instruction, as a type: `FormOf<'add_32'>` is `'reg_reg_reg'`. */
export type FormOf<K extends OpName> = Extract<InstructionRow, { name: K }>['form'];

/** An instruction's index in the table; 255 (`INVALID`) is the implicit/unknown instruction that traps. */
export type OpId = number;
export const INVALID: OpId = 255;

export const INSTRUCTIONS: readonly InstructionRow[] = Object.freeze(ROWS.map((r) => Object.freeze(r)));
export const INSTRUCTION_COUNT = INSTRUCTIONS.length;

/** Op ids by name: `Op.add_32` is the row index of `add_32`. */
export const Op = Object.freeze(Object.fromEntries(INSTRUCTIONS.map((r, i) => [r.name, i]))) as { readonly [K in OpName]: OpId };

export const OP_NAMES: readonly string[] = INSTRUCTIONS.map((r) => r.name);
export const OP_FORMS: readonly OperandForm[] = INSTRUCTIONS.map((r) => r.form);

/** Per-op flags, indexed by op id; INVALID counts as a trap (ends a block, never falls through). */
export const OP_FLAGS: Uint8Array = (() => {
  const flags = new Uint8Array(256);
  INSTRUCTIONS.forEach((r, i) => (flags[i] = r.flags));
  flags[INVALID] = END | NO_FALLTHROUGH;
  return flags;
})();
