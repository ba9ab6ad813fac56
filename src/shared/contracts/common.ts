import { z } from 'zod';

/** Input of a channel that takes nothing: an empty object, nothing else. */
export const NoInput = z.object({}).strict();

/** An ISO-8601 timestamp string. */
export const IsoTime = z.string();
