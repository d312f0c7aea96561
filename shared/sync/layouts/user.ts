/**
 * The user's private room (`t/{tenant}/u/{user}`), written only by its owner from any of their
 * devices: settings that follow them, the shop cart, drafts.
 */
import { z } from 'zod';

export const USER_SETTINGS = 'settings';
export const USER_CART = 'cart';

export const COLOR_SCHEMES = ['light', 'dark', 'auto'] as const;

export const userSettingsSchema = z.object({
  colorScheme: z.enum(COLOR_SCHEMES).optional(),
  /** BCP 47 locale for numbers and money, e.g. `en-US`. */
  locale: z.string().regex(/^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$/).optional(),
  chessSound: z.boolean().optional(),
});

export type UserSettings = z.infer<typeof userSettingsSchema>;
