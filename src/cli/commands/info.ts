import { UsageError } from '../args.ts';

export async function run(_argv: string[]): Promise<number> {
  throw new UsageError("the 'info' command is not built yet");
}
