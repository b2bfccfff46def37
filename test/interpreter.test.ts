// Where the reference interpreter must match polkavm's interpreter.rs to the bit, beyond what the
// backend-independent behaviour tests check: memset's raw 64-bit A0/A2 on the 32-bit ISA, the
// per-call instruction count when a block stops partway, jump_indirect's edge addresses,
// load_imm_and_jump_indirect's read order, sbrk's size rules, and the step → charge → execute order.
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/assembler/assemble.ts';
import { Reg } from '../src/machine/state.ts';
import { Module, type ModuleOptions } from '../src/runtime/index.ts';

const load = (isa: string, body: string, options: ModuleOptions = {}): Module =>
  Module.fromBytes(assemble(`pub @main:\n${body}`, { isa }), { backend: 'interpreter', ...options });

describe('interpreter: memset on the 32-bit ISA leaves A0 and A2 as polkavm does (raw 64-bit values)', () => {
  // A0 = A0 + written and A2 = count - written are set as u64 values, not sign-extended, and the
  // 32-bit ISA's compares, branches, and/or/xor and moves then see all 64 bits.
  interface Case {
    name: string;
    a0: number;
    count: number;
    /** Pages mapped (writable) before the call. */
    pages: number[];
    kind: string;
    a0Raw: bigint;
    a2Raw: bigint;
    /** a3 = a0 <s 0 after the memset (only when it finished). */
    a0Negative?: bigint;
  }
  const cases: Case[] = [
    {
      name: 'A0 crosses 2^31 upwards: not sign-extended, so it compares as positive',
      a0: 0x7ffffff0,
      count: 0x20,
      pages: [0x7ffff000, 0x80000000],
      kind: 'finished',
      a0Raw: 0x80000010n,
      a2Raw: 0n,
      a0Negative: 0n,
    },
    {
      name: 'A0 stays below 2^31: the usual sign-extended value',
      a0: 0x7fffffe0,
      count: 0x10,
      pages: [0x7ffff000],
      kind: 'finished',
      a0Raw: 0x7ffffff0n,
      a2Raw: 0n,
      a0Negative: 0n,
    },
    {
      name: 'A0 wraps past 2^32 from a negative value: sign-extended again',
      a0: 0xfffffff0,
      count: 0x10,
      pages: [0xfffff000],
      kind: 'finished',
      a0Raw: 0n,
      a2Raw: 0n,
      a0Negative: 0n,
    },
    {
      name: 'a fault with 2^31 or more bytes left: A2 zero-extended',
      a0: 0x20000000,
      count: 0xffffffff,
      pages: [0x20000000],
      kind: 'segfault',
      a0Raw: 0x20001000n,
      a2Raw: 0xffffffffn - 0x1000n,
    },
  ];
  it.each(cases)('$name', (c) => {
    const module = load('latest32', '  memset\n  a4 = 0\n  a3 = a0 <s a4\n  ret', { dynamicPaging: true });
    const i = module.instantiate();
    for (const page of c.pages) i.mapPages(page, 4096, { writable: true });
    i.prepareCall('main', [c.a0, 0xab, c.count]);
    expect(i.run().kind).toBe(c.kind);
    expect(i.state.regs64[Reg.A0]).toBe(c.a0Raw);
    expect(i.state.regs64[Reg.A2]).toBe(c.a2Raw);
    expect(i.reg(Reg.A0)).toBe(c.a0Raw & 0xffffffffn);
    if (c.a0Negative !== undefined) expect(i.reg(Reg.A3)).toBe(c.a0Negative);
    expect(i.readMemory(c.a0, 1)[0]).toBe(0xab);
  });

  it('a raw value survives moves and bitwise operations, and branches compare all 64 bits', () => {
    const body = [
      '  memset',
      '  a1 = a0', // move_reg copies the raw value
      '  a3 = a1 | a4', // or: 64-bit
      '  a5 = 0',
      '  jump @negative if a3 <s a5',
      '  a0 = 1',
      '  ret',
      '@negative:',
      '  a0 = 2',
      '  ret',
    ].join('\n');
    const i = load('latest32', body, { dynamicPaging: true }).instantiate();
    i.mapPages(0x7ffff000, 8192, { writable: true });
    i.prepareCall('main', [0x7ffffff8, 0, 0x10]);
    expect(i.run().kind).toBe('finished');
    expect(i.reg(Reg.A0)).toBe(1n);
    expect(i.state.regs64[Reg.A1]).toBe(0x80000008n);
    expect(i.state.regs64[Reg.A3]).toBe(0x80000008n);
  });

  it('a 32-bit operation on a raw value gives a sign-extended result again', () => {
    const i = load('latest32', '  memset\n  a1 = a0 + 0\n  i32 a3 = a0 + a4\n  ret', { dynamicPaging: true }).instantiate();
    i.mapPages(0x7ffff000, 8192, { writable: true });
    i.prepareCall('main', [0x7ffffff8, 0, 0x10]);
    expect(i.run().kind).toBe('finished');
    expect(i.state.regs64[Reg.A3]).toBe(0xffffffff80000008n);
  });
});

describe('interpreter: instructions counted per call', () => {
  // Gas is charged for the whole block on entry (polkavm), but the count says what ran: a final stop
  // partway through a block (trap, fault) takes the rest of the block off again; the instruction that
  // trapped or faulted did not complete and is not counted. At a resumable stop inside a block
  // (ecalli, segfault, step) the count still includes the rest of the block, which the resumed run
  // executes without counting it again.
  const cases = [
    { name: 'a block that finishes', body: '  a0 = 1\n  a1 = 2\n  ret', kind: 'finished', instructions: 3, gas: 3 },
    { name: 'an explicit trap after two instructions', body: '  a0 = 1\n  a1 = 2\n  trap', kind: 'trap', instructions: 2, gas: 3 },
    { name: 'a load fault in the middle of a block', body: '  a0 = 1\n  a1 = i32 [a0]\n  a2 = 3\n  ret', kind: 'trap', instructions: 1, gas: 4 },
    { name: 'two blocks, then a fault', body: '  a0 = 1\n  jump @next\n@next:\n  a1 = 5\n  u32 [a0] = a1\n  ret', kind: 'trap', instructions: 3, gas: 5 },
    { name: 'falling off the end (the implicit trap)', body: '  a0 = 1\n  a1 = 2', kind: 'trap', instructions: 2, gas: 3 },
    { name: 'an indirect jump to a bad address', body: '  a0 = 1\n  jump [a0]', kind: 'trap', instructions: 1, gas: 2 },
  ] as const;
  for (const isa of ['latest32', 'latest64'] as const)
    it.each(cases)(`${isa}: $name`, ({ body, kind, instructions, gas }) => {
      const i = load(isa, body, { gasMetering: 'sync' }).instantiate();
      i.prepareCall('main');
      i.setGas(100);
      expect(i.run().kind).toBe(kind);
      expect(i.metrics().instructions).toBe(instructions);
      // Gas stays per whole block, as polkavm charges it.
      expect(100n - i.gas()).toBe(BigInt(gas));
    });

  it('a resumable stop counts the rest of its block once; a trap after resuming takes back what did not run', () => {
    const i = load('latest32', '  a0 = 1\n  ecalli 3\n  a1 = 2\n  trap').instantiate();
    i.prepareCall('main');
    expect(i.run()).toEqual({ kind: 'ecalli', index: 3 });
    expect(i.metrics().instructions).toBe(4);
    expect(i.run().kind).toBe('trap');
    expect(i.metrics().instructions).toBe(3);
  });
});

describe('interpreter: control transfers at the edges', () => {
  const jumps = [
    { address: 0xffff0000, kind: 'finished' },
    { address: 0xffff0001, kind: 'trap' },
    { address: 0xffff0002, kind: 'trap' },
    { address: 0xffff0004, kind: 'trap' },
    { address: 0xfffffffe, kind: 'trap' },
    { address: 0, kind: 'trap' },
    { address: 1, kind: 'trap' },
    { address: 2, kind: 'finished' }, // jump-table entry 0: @target, which returns
    { address: 4, kind: 'trap' }, // past the one-entry jump table
  ] as const;
  for (const isa of ['latest32', 'latest64'] as const)
    it.each(jumps)(`${isa}: jump_indirect to $address`, ({ address, kind }) => {
      const i = load(isa, '  a1 = @target\n  jump [a0]\n@target:\n  ret').instantiate();
      i.prepareCall('main', [address]);
      expect(i.run().kind).toBe(kind);
      if (kind === 'trap') expect(i.programCounter()).toBe(i.module.code.pc[1]);
    });

  for (const isa of ['latest32', 'latest64'] as const)
    it(`${isa}: load_imm_and_jump_indirect reads the base before writing the same register`, () => {
      const i = load(isa, '  a0 = @target\n  tmp = a0, a0 = 99, jump [tmp + 0]\n@target:\n  a1 = a0 + 1\n  ret').instantiate();
      i.prepareCall('main');
      expect(i.run().kind).toBe('finished');
      expect(i.reg(Reg.A1)).toBe(100n);
    });
});

describe('interpreter: what a failed memory access leaves to resume', () => {
  // polkavm: a trap clears the next program counter (`trap_impl`); a segfault keeps it at the
  // faulting instruction, which runs again once the page is mapped.
  for (const isa of ['latest32', 'latest64'] as const) {
    it(`${isa}: a trap (standard memory) has no next pc`, () => {
      const i = load(isa, '  a0 = 1\n  a1 = i32 [a0]\n  ret').instantiate();
      i.prepareCall('main');
      expect(i.run().kind).toBe('trap');
      expect(i.programCounter()).toBe(i.module.code.pc[1]);
      expect(i.nextProgramCounter()).toBeUndefined();
    });
    it(`${isa}: a segfault (dynamic paging) resumes at the faulting instruction`, () => {
      const i = load(isa, '  a0 = 0x20000\n  a1 = i32 [a0]\n  ret', { dynamicPaging: true }).instantiate();
      i.prepareCall('main');
      expect(i.run().kind).toBe('segfault');
      expect(i.nextProgramCounter()).toBe(i.module.code.pc[1]);
      i.mapPages(0x20000, 4096, { writable: true });
      i.writeMemory(0x20000, new Uint8Array([7]));
      expect(i.run().kind).toBe('finished');
      expect(i.reg(Reg.A1)).toBe(7n);
    });
  }
});

describe('interpreter: sbrk', () => {
  const cases = [
    { isa: 'latest64', name: 'a 64-bit size that is not a u32 asks for nothing', size: 0x1_0000_0010n, grows: 0 },
    { isa: 'latest64', name: 'a u32 size grows the heap', size: 0x10n, grows: 0x10 },
    { isa: 'latest32', name: 'the 32-bit ISA takes the low 32 bits', size: 0x10n, grows: 0x10 },
    { isa: 'latest64', name: 'a size past the heap limit fails with 0', size: 0xffffffffn, grows: -1 },
  ] as const;
  it.each(cases)('$isa: $name', ({ isa, size, grows }) => {
    const module = load(isa, '  a1 = sbrk a0\n  ret');
    const i = module.instantiate();
    i.prepareCall('main', [size]);
    expect(i.run().kind).toBe('finished');
    expect(i.reg(Reg.A1)).toBe(grows < 0 ? 0n : BigInt(module.memoryMap.heapBase + grows));
    expect(i.heapSize()).toBe(Math.max(grows, 0));
  });
});

describe('interpreter: step tracing orders step, then the gas charge, then the instruction', () => {
  for (const isa of ['latest32', 'latest64'] as const)
    it(`${isa}: a step before a block that cannot be paid, then not-enough-gas, then the rest after setGas`, () => {
      const module = load(isa, '  a0 = 1\n  a1 = 2\n  ret', { gasMetering: 'sync', stepTracing: true });
      const i = module.instantiate();
      const pcs = module.code.pc;
      i.prepareCall('main');
      i.setGas(0);
      const seen: string[] = [];
      const record = (): void => {
        const r = i.run();
        seen.push(`${r.kind}@${i.programCounter()}:${i.gas()}`);
      };
      record();
      record();
      i.setGas(3);
      record();
      record();
      record();
      expect(seen).toEqual([`step@${pcs[0]}:0`, `not-enough-gas@${pcs[0]}:0`, `step@${pcs[1]}:0`, `step@${pcs[2]}:0`, `finished@${pcs[2]}:0`]);
      expect(i.reg(Reg.A1)).toBe(2n);
    });
});
