import { UsageError } from '../args.ts';

export async function run(_argv: string[]): Promise<number> {
  throw new UsageError("the 'demo' command is not built yet");
}
