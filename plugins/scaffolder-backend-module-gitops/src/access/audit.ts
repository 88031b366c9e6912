import { AuditorService } from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';

/**
 * Runs `fn` inside an auditor event: success with what it returned (a commit
 * SHA, say), or failure with the error, which is thrown on.
 */
export async function audited<T>(
  auditor: AuditorService | undefined,
  eventId: string,
  meta: JsonObject,
  fn: () => Promise<T>,
  resultMeta: (result: T) => JsonObject = () => ({}),
): Promise<T> {
  const event = await auditor?.createEvent({
    eventId,
    severityLevel: 'medium',
    meta,
  });
  try {
    const result = await fn();
    await event?.success({ meta: resultMeta(result) });
    return result;
  } catch (error) {
    await event?.fail({ error: error as Error });
    throw error;
  }
}
