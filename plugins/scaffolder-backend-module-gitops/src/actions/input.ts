import { InputError } from '@backstage/errors';
import { describeZodError, NameProblem } from '@internal/plugin-gitops-common';
import { z } from 'zod/v3';

/**
 * Parses an action's input with the zod schema the action declares. The
 * scaffolder checks input only against the JSON Schema made from it, which
 * carries neither refinements nor defaults nor the blank-as-unset rule; a
 * failure here is an InputError in our words.
 */
export function parseInput<T extends z.ZodTypeAny>(
  schema: T,
  input: unknown,
  what = 'input',
): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new InputError(`Invalid ${what}: ${describeZodError(result.error)}`);
  }
  return result.data;
}

/** Refuses names a target would reject, every broken rule in one message, before any side effect. */
export function assertValidNames(problems: NameProblem[]): void {
  if (problems.length > 0) {
    throw new InputError(`${problems.map(p => p.message).join(' ')} Nothing was changed.`);
  }
}
