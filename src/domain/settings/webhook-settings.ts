/**
 * The webhook settings of webhooks.md §7.5 as a fixture (`settings.webhooks`) or the command line
 * gives them: every key optional, the values each may take. The fixture validator and the CLI check
 * against these; runtime-settings.ts lays them over the defaults (flags over fixture over defaults).
 */
export const WEBHOOK_SETTING_CHOICES = {
  mode: ['send', 'record', 'off'],
  destinations: ['lenient', 'strict'],
  timestamp: ['clock', 'real'],
} as const;

/** whole numbers within these bounds (a timeout beyond an hour or more than 1,000 hooks at once is a typo) */
export const WEBHOOK_SETTING_LIMITS = {
  timeoutMs: { min: 1, max: 3_600_000 },
  concurrency: { min: 1, max: 1000 },
} as const;

type Choices = typeof WEBHOOK_SETTING_CHOICES;

export interface WebhookSettingsInput {
  mode?: Choices['mode'][number];
  destinations?: Choices['destinations'][number];
  timeoutMs?: number;
  insecureTls?: boolean;
  timestamp?: Choices['timestamp'][number];
  concurrency?: number;
}

export const WEBHOOK_SETTING_KEYS = ['mode', 'destinations', 'timeoutMs', 'insecureTls', 'timestamp', 'concurrency'] as const satisfies readonly (keyof WebhookSettingsInput)[];
