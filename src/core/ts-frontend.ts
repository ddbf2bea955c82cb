import { BackpropError } from './errors';
import type { Program } from './ir';

/** Placeholder until the TypeScript front end lands: refuses clearly instead of guessing. */
export function parseTypeScript(_text: string): Program {
  throw new BackpropError('unsupported', 'the TypeScript front end is not built yet');
}
