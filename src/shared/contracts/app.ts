import { z } from 'zod';
import { NoInput } from './common';

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.string(),
  /** "electron" in the app, "harness" in the browser test harness. */
  shell: z.enum(['electron', 'harness']),
  vaultAddress: z.string(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const appChannels = {
  'app:info': { input: NoInput, output: AppInfoSchema },
  'shell:open-external': {
    input: z.object({ url: z.string().max(2048) }).strict(),
    output: z.object({ opened: z.boolean() }),
  },
} as const;

export const appEvents = {} as const;
