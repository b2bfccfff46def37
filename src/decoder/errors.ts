/** What went wrong while parsing a program; stable strings, safe to switch on. */
export type ProgramParseErrorKind =
  | 'bad-magic'
  | 'unsupported-version'
  | 'length-mismatch'
  | 'unexpected-end'
  | 'bad-varint'
  | 'unexpected-section'
  | 'bad-section'
  | 'too-many-imports'
  | 'bad-import'
  | 'bad-export'
  | 'no-code'
  | 'code-too-long'
  | 'jump-table-too-long'
  | 'bad-jump-table-entry-size'
  | 'bad-bitmask'
  | 'data-too-long'
  | 'invalid-instruction'
  | 'bad-metadata';

/**
 * The one error the decoder throws. `offset` is a byte offset into the input that was given to the
 * parser (the whole blob, not a section), so a user can find the bad byte with a hex dump.
 */
export class ProgramParseError extends Error {
  override readonly name = 'ProgramParseError';
  readonly kind: ProgramParseErrorKind;
  readonly offset: number;
  readonly detail: string;
  constructor(kind: ProgramParseErrorKind, offset: number, detail: string) {
    super(`failed to parse program blob: ${detail} at offset 0x${offset.toString(16)}`);
    this.kind = kind;
    this.offset = offset;
    this.detail = detail;
  }
}

/** Every decode failure goes through here, so messages and offsets stay uniform. */
export function raise(kind: ProgramParseErrorKind, offset: number, detail: string): never {
  throw new ProgramParseError(kind, offset, detail);
}
