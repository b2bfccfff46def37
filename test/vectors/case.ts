// The one shape every conformance vector is translated into. Loaders (one per vector format) are the
// only place that knows a format's field names and status words; everything after them speaks the
// project's names (DESIGN.md "One set of names for outcomes").
import type { InterruptKind } from '../../src/machine/interrupt.ts';
import type { IsaName } from '../../src/decoder/isa.ts';

/** How to get the program: bytes in a known container, or assembly text for the project's assembler. */
export type CaseProgram =
  | { readonly kind: 'polkavm'; readonly bytes: Uint8Array }
  /** A bare code-and-jump-table payload (JAM vectors); the ISA is not in the bytes. */
  | { readonly kind: 'jam-program'; readonly bytes: Uint8Array; readonly isa: IsaName }
  /** `referenceBlob`: the reference assembler's output for the same text, used only to explain failures. */
  | { readonly kind: 'assembly'; readonly text: string; readonly isa: IsaName; readonly referenceBlob?: string };

export type CostModelSpec =
  | { readonly kind: 'naive' }
  /** pc of a block start → cost (the jam-gas-model `block-gas-costs`). */
  | { readonly kind: 'table'; readonly table: ReadonlyMap<number, number> }
  /** A model of src/gas by name (e.g. 'full-l2'); the suite is skipped until src/gas provides it. */
  | { readonly kind: 'named'; readonly name: string };

export interface MemoryChunk {
  readonly address: number;
  readonly bytes: Uint8Array;
}

/** What a stop must look like; a field left undefined is not checked. */
export interface Expectation {
  readonly status: InterruptKind;
  readonly ecalli?: number;
  readonly pageFaultAddress?: number;
  /** For `finished`: the pc of the jump that returned. */
  readonly pc?: number;
  /** Gas left. */
  readonly gas?: bigint;
  /** Per register; undefined entries are not checked. */
  readonly regs?: readonly (bigint | undefined)[];
  /** The complete non-zero contents of every page the case has mapped (as polkavm's spectool extracts them). */
  readonly memory?: readonly MemoryChunk[];
}

/** How the host answers `ecalli` during one run step; without it an ecalli is a stop like any other. */
export interface HostReplies {
  /** Import symbol → value written to A0 before resuming. An ecalli for an import not listed is a failure. */
  readonly byImport: ReadonlyMap<string, bigint>;
}

export type CaseAction =
  | { readonly kind: 'map'; readonly address: number; readonly length: number; readonly writable: boolean }
  | { readonly kind: 'write'; readonly address: number; readonly bytes: Uint8Array }
  | { readonly kind: 'set-reg'; readonly reg: number; readonly value: bigint }
  /** Map and fill the blob's ro data, rw data and stack as polkavm's spectool does under dynamic paging
   * (the addresses come from the module's memory map, known only once the program is built). */
  | { readonly kind: 'map-blob-regions' }
  | { readonly kind: 'run'; readonly host?: HostReplies; readonly expect: Expectation };

/** Where execution starts. */
export type CaseEntry =
  /** Set the next pc only (registers as the case sets them): the vectors' way. `target` is a pc or an export name. */
  | { readonly kind: 'jump'; readonly target: number | string }
  /** `prepareCall(export, args)`: registers cleared, RA = 0xFFFF0000, SP = stack top, args in A0... */
  | { readonly kind: 'call'; readonly export: string; readonly args: readonly bigint[] };

export interface ConformanceCase {
  readonly suite: string;
  readonly name: string;
  /** The vector file, for messages. */
  readonly file: string;
  readonly program: CaseProgram;
  readonly dynamicPaging: boolean;
  /** What a write to a read-only page does under dynamic paging; undefined = the runtime default (segfault). */
  readonly readOnlyWrite?: 'segfault' | 'trap';
  /** undefined = no gas metering. */
  readonly gasMetering: 'sync' | undefined;
  readonly costModel: CostModelSpec;
  readonly entry: CaseEntry;
  /** Applied after the entry is set; undefined = leave as the entry left them. */
  readonly initialRegs?: readonly bigint[];
  readonly initialGas?: bigint;
  readonly actions: readonly CaseAction[];
  /** A register whose value explains a wrong status (riscv-tests: S0 holds the failing test number). */
  readonly failureHint?: { readonly reg: number; readonly meaning: string };
  /** Hundreds of millions of guest instructions: kept out of `npm test` (run by `npm run conformance`, or with PVM2JS_SLOW=1). */
  readonly slow?: boolean;
}

/** JAM and spectool status words → the project's names. */
const JAM_STATUS: Readonly<Record<string, InterruptKind>> = {
  halt: 'finished',
  panic: 'trap',
  'page-fault': 'segfault',
  'out-of-gas': 'not-enough-gas',
  ecalli: 'ecalli',
};

export function translateJamStatus(word: string): InterruptKind {
  const status = JAM_STATUS[word];
  if (status === undefined) throw new Error(`unknown vector status "${word}"`);
  return status;
}

export const REG_COUNT = 13;
