import { z } from 'zod';

/** Environment contract (names are fixed: deployments and tests depend on them). Secrets are checked by shape, never echoed. */
const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const proxyUrl = optionalText.refine(
  (v) => v === undefined || /^https?:\/\/[^\s/]+/.test(v),
  'must be a proxy URL like http://proxy:3128',
);

export const envSchema = z.object({
  SLACK_BOT_TOKEN: z
    .string()
    .trim()
    .regex(/^xoxb-/, 'must be a bot token (starts with xoxb-)'),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText.refine(
    (v) => v === undefined || v.startsWith('xapp-'),
    'must be an app-level token (starts with xapp-)',
  ),
  SLACK_API_URL: optionalText.refine((v) => v === undefined || /^https?:\/\/\S+$/.test(v), 'must be an http(s) URL'),
  PORT: optionalText
    .refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) < 65536), 'must be a port number (0-65535)')
    .transform((v) => (v === undefined ? 3000 : Number(v))),
  BACKUP_BOT_CONFIG: optionalText,
  OTC_USERNAME: optionalText,
  OTC_PASSWORD: optionalText,
  OTC_DOMAIN_NAME: optionalText,
  OTC_ACCESS_KEY: optionalText,
  OTC_SECRET_KEY: optionalText,
  LOG_LEVEL: optionalText
    .refine(
      (v) => v === undefined || ['debug', 'info', 'warn', 'error'].includes(v.toLowerCase()),
      'must be debug, info, warn or error',
    )
    .transform((v) => (v === undefined ? 'info' : (v.toLowerCase() as 'debug' | 'info' | 'warn' | 'error'))),
  DATABASE_URL: optionalText.refine(
    (v) => v === undefined || /^(postgres(ql)?:\/\/|sqlite:)/.test(v),
    'must be postgres://…, postgresql://… or sqlite:<path> (leave unset for ./data/backup-bot.db)',
  ),
  HTTPS_PROXY: proxyUrl,
  https_proxy: proxyUrl,
  HTTP_PROXY: proxyUrl,
  http_proxy: proxyUrl,
  NO_PROXY: optionalText,
  no_proxy: optionalText,
});

export type Env = z.infer<typeof envSchema>;
