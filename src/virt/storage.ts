// Where `compile_from_storage_key` finds program bytes: the externalities' main trie, or a child
// trie when one is named. A host plugs in its own storage; MemoryStorage serves tests and examples.

export interface VirtStorage {
  /** The value at `key` in the main trie (`childTrie` empty or undefined) or in that child trie. */
  get(key: Uint8Array, childTrie?: Uint8Array): Uint8Array | undefined;
}

import { Binary } from '@polkadot-api/substrate-bindings';

const hexKey = (bytes: Uint8Array): string => Binary.toHex(bytes);
const utf8 = new TextEncoder();
const asBytes = (value: Uint8Array | string): Uint8Array => (typeof value === 'string' ? utf8.encode(value) : value);

/** An in-memory main trie plus child tries (the part of `TestExternalities` the virt tests use). */
export class MemoryStorage implements VirtStorage {
  private readonly tries = new Map<string, Map<string, Uint8Array>>();

  private trie(childTrie: Uint8Array): Map<string, Uint8Array> {
    const name = hexKey(childTrie);
    let trie = this.tries.get(name);
    if (!trie) this.tries.set(name, (trie = new Map()));
    return trie;
  }

  /** `ext.insert(key, value)`: the main trie. */
  insert(key: Uint8Array | string, value: Uint8Array): this {
    this.trie(new Uint8Array(0)).set(hexKey(asBytes(key)), value.slice());
    return this;
  }

  /** `ext.insert_child(ChildInfo::new_default(childTrie), key, value)`. */
  insertChild(childTrie: Uint8Array | string, key: Uint8Array | string, value: Uint8Array): this {
    this.trie(asBytes(childTrie)).set(hexKey(asBytes(key)), value.slice());
    return this;
  }

  get(key: Uint8Array, childTrie: Uint8Array = new Uint8Array(0)): Uint8Array | undefined {
    return this.tries.get(hexKey(childTrie))?.get(hexKey(key));
  }
}
