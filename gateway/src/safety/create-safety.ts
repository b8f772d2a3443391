// Builds the safety layer from config: picks the moderation service, the alert mailer and the
// defaults, and wraps the answering provider in a SafeProvider.

import type { Provider } from '../ai/provider'
import type { Config } from '../config'
import type { Logger } from '../obs/logger'
import type { SafetyStore } from '../store/safety'
import type { WriteBacklog } from '../store/write-backlog'
import { createSmtpMailer, type Mailer } from './mailer'
import { type Moderator, NoModerator, OpenAIModerator } from './moderation'
import { ParentAlerts } from './parent-alerts'
import { parseQuietHours, type SafetyDefaults } from './policy'
import { SafeProvider } from './safe-provider'
import type { SpeakFixed } from './speak-fixed'

export interface SafetyParts {
	provider: SafeProvider
	alerts: ParentAlerts
	moderator: Moderator
	close(): Promise<void>
}

type SafetyConfig = Pick<Config, 'safety' | 'openaiApiKey' | 'openaiBaseUrl'> & Partial<Pick<Config, 'accounts'>>

export function safetyDefaults(cfg: Config['safety']): SafetyDefaults {
	return {
		timezone: cfg.timezone,
		dailyTokenBudget: cfg.dailyTokenBudget,
		dailyLimitMinutes: cfg.dailyLimitMinutes,
		quietHours: cfg.quietHours ? (parseQuietHours(cfg.quietHours) ?? null) : null,
		playReminderMinutes: cfg.playReminderMinutes,
		allowedTools: cfg.deviceToolsAllowed,
		country: cfg.defaultCountry,
	}
}

// 'auto' uses OpenAI's moderation only with a real OpenAI key: local OpenAI-compatible servers
// rarely serve /v1/moderations, and a failing call on every sentence would only add delay.
export function createModerator(cfg: SafetyConfig, log: Logger): Moderator {
	const mode = cfg.safety.moderation
	const key = cfg.openaiApiKey?.trim()
	if (mode === 'local' || (mode === 'auto' && !key)) return new NoModerator()
	if (!key && !cfg.openaiBaseUrl) {
		log.warn('MODERATION=openai but neither OPENAI_API_KEY nor OPENAI_BASE_URL is set; local word lists only')
		return new NoModerator()
	}
	return new OpenAIModerator({ apiKey: key || 'local', baseURL: cfg.openaiBaseUrl, model: cfg.safety.moderationModel })
}

export async function createSafety(
	inner: Provider,
	cfg: SafetyConfig,
	store: SafetyStore,
	writes: WriteBacklog,
	log: Logger,
	speak?: SpeakFixed,
): Promise<SafetyParts> {
	const mailer: Mailer | undefined = cfg.safety.smtpUrl ? await createSmtpMailer(cfg.safety.smtpUrl, cfg.safety.smtpFrom) : undefined
	const alerts = new ParentAlerts(store.alerts, writes, mailer, cfg.safety.alertEmail, cfg.accounts?.publicAppUrl)
	const moderator = createModerator(cfg, log)
	const provider = new SafeProvider(inner, { store, writes, alerts, moderator, defaults: safetyDefaults(cfg.safety), speak, log })
	log.info({ moderation: moderator.name, alertEmail: mailer ? 'smtp' : 'off' }, 'child safety on')
	return {
		provider,
		alerts,
		moderator,
		async close() {
			await alerts.idle()
			mailer?.close?.()
		},
	}
}
