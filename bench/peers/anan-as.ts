// Adapter for @fluffylabs/anan-as 1.2.0, an AssemblyScript (WebAssembly) interpreter of the JAM PVM.
// It takes a bare JAM program (the code-and-jump-table payload, which is byte-identical to section 6
// of a `.polkavm` blob) plus registers, a page map and initial memory chunks. It has no 32-bit mode and
// speaks the Gray Paper's opcode numbers, which are polkavm's JamV1 numbers, so it runs JamV1 blobs.
//
// The build used is `release-mini` (release code with AssemblyScript's minimal runtime, garbage
// collected by an explicit `__collect()`): it is the fastest of the package's builds. Measured on an
// ALU loop (2 M guest instructions, warm, Node 20): `release` 1.4-2.0 M/s with GC pauses visible in
// the spread, `release-mini` 5-6.5 M/s, `release-stub` about the same as mini, `debug` 0.3 M/s.
import { __collect, HasMetadata, InputKind, prepareProgram, runProgram } from '@fluffylabs/anan-as/release-mini';
import { Isa, parseBlob, readVarint, Section } from '../../src/decoder/index.ts';
import { buildMemoryMap, VM_ADDR_RETURN_TO_HOST } from '../../src/machine/layout.ts';

/** The version of the peer being measured, for the report. */
export const ANAN_AS_VERSION = '1.2.0 (release-mini build)';

const PAGE_SIZE = 4096;
const ACCESS_READ = 1;
const ACCESS_WRITE = 2;
const REGISTER_COUNT = 13;
const REG_RA = 0;
const REG_SP = 1;
const REG_A0 = 7;

/** What anan-as reports in `status`, in pvm2js's outcome names (DESIGN.md). */
const STATUS_NAMES: Readonly<Record<number, string>> = {
  0: 'finished',
  1: 'trap',
  2: 'segfault',
  3: 'ecalli',
  4: 'not-enough-gas',
};

interface Page {
  address: number;
  length: number;
  access: number;
}

interface Chunk {
  address: number;
  data: number[];
}

/** A call ready to hand to anan-as: everything it needs, laid out as polkavm lays out the blob. */
export interface AnanAsCall {
  readonly program: number[];
  readonly registers: bigint[];
  readonly pages: Page[];
  readonly chunks: Chunk[];
  readonly pc: number;
}

export interface AnanAsResult {
  readonly status: string;
  readonly pc: number;
  readonly gasLeft: bigint;
  readonly registers: readonly bigint[];
}

/**
 * Turns a JamV1 `.polkavm` blob and an export into an anan-as call with polkavm's memory map
 * (ro data, rw data, stack; page size 4 KiB) and polkavm's calling convention (RA = return-to-host,
 * SP = stack top, arguments from A0).
 */
export function prepareAnanAsCall(bytes: Uint8Array, exportName: string, args: readonly bigint[]): AnanAsCall {
  const blob = parseBlob(bytes);
  if (blob.isa !== Isa.JamV1) throw new Error(`anan-as runs JamV1 programs only; this blob's ISA is ${blob.isa}`);
  const entry = blob.exports.find((e) => e.name === exportName);
  if (entry === undefined) throw new Error(`no export named ${exportName}`);
  const section = blob.sections.find((s) => s.id === Section.codeAndJumpTable)!;
  const lengthBytes = [0];
  readVarint(bytes, section.offset + 1, bytes.length, lengthBytes);
  const payloadStart = section.offset + 1 + lengthBytes[0]!;
  const program = Array.from(bytes.subarray(payloadStart, payloadStart + section.length));

  const map = buildMemoryMap({ pageSize: PAGE_SIZE, roDataSize: blob.roDataSize, rwDataSize: blob.rwDataSize, stackSize: blob.stackSize });
  const pages: Page[] = [];
  const chunks: Chunk[] = [];
  if (map.roDataSize > 0) pages.push({ address: map.roDataAddress, length: map.roDataSize, access: ACCESS_READ });
  if (map.rwDataSize > 0) pages.push({ address: map.rwDataAddress, length: map.rwDataSize, access: ACCESS_WRITE });
  if (map.stackSize > 0) pages.push({ address: map.stackAddressLow, length: map.stackSize, access: ACCESS_WRITE });
  if (blob.roData.length > 0) chunks.push({ address: map.roDataAddress, data: Array.from(blob.roData) });
  if (blob.rwData.length > 0) chunks.push({ address: map.rwDataAddress, data: Array.from(blob.rwData) });

  const registers = new Array<bigint>(REGISTER_COUNT).fill(0n);
  registers[REG_RA] = BigInt(VM_ADDR_RETURN_TO_HOST);
  registers[REG_SP] = BigInt(map.stackAddressHigh);
  args.forEach((value, i) => (registers[REG_A0 + i] = BigInt.asUintN(64, value)));
  return { program, registers, pages, chunks, pc: entry.pc };
}

/**
 * Loads a prepared call into anan-as; `run()` then executes it to the end. Split so that a caller can
 * time the execution alone, without the setup or the garbage collection that the minimal runtime
 * leaves to the caller (it collects what earlier runs left, here, before loading).
 */
export function startAnanAs(call: AnanAsCall, gas: bigint): { run(): AnanAsResult } {
  __collect();
  const pageCount = call.pages.reduce((sum, p) => sum + p.length / PAGE_SIZE, 0);
  const program = prepareProgram(InputKind.Generic, HasMetadata.No, call.program, call.registers, call.pages, call.chunks, [], pageCount);
  return {
    run() {
      const out = runProgram(program, gas, call.pc, false, false, false);
      return {
        status: STATUS_NAMES[out.status as number] ?? `unknown(${String(out.status)})`,
        pc: out.pc as number,
        gasLeft: out.gas as bigint,
        registers: out.registers,
      };
    },
  };
}

/** Runs a prepared call to its end. */
export function runAnanAs(call: AnanAsCall, gas: bigint): AnanAsResult {
  return startAnanAs(call, gas).run();
}
