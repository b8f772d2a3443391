import { describe, expect, test } from 'bun:test'
import { ConfigError, loadConfig } from '../../gateway/src/config'
import { createModerator, createPolicy, safetyDefaults } from '../../gateway/src/safety/create-safety'
import { log } from '../../gateway/src/obs/logger'

describe('safety config', () => {
	test('defaults: no quiet hours, no time limit, a budget, a 3-hour break reminder, local moderation without a key', () => {
		const cfg = loadConfig({})
		expect(safetyDefaults(cfg.safety)).toEqual({
			timezone: 'UTC',
			dailyTokenBudget: 200_000,
			dailyLimitMinutes: 0,
			quietHours: null,
			playReminderMinutes: 180,
			allowedTools: [
				'self.get_device_status',
				'self.audio_speaker.set_volume',
				'self.screen.set_brightness',
				'self.screen.set_theme',
				'iot.Speaker.*',
				'iot.Screen.*',
				'iot.get_states',
			],
		})
		expect(createModerator(cfg, log).name).toBe('none')
		expect(createModerator(loadConfig({ OPENAI_API_KEY: 'sk-test' }), log).name).toBe('openai')
		expect(createModerator(loadConfig({ OPENAI_API_KEY: 'sk-test', MODERATION: 'local' }), log).name).toBe('none')
	})

	test('the answer policy asks a model wherever moderation does (POLICY_MODEL), else the offline patterns decide', () => {
		const policy = (env: Record<string, string>) => {
			const cfg = loadConfig(env)
			return createPolicy(cfg, createModerator(cfg, log)).name
		}
		expect(policy({})).toBe('patterns')
		expect(policy({ OPENAI_API_KEY: 'sk-test' })).toBe('patterns+openai:gpt-4o-mini')
		expect(policy({ OPENAI_API_KEY: 'sk-test', POLICY_MODEL: 'gpt-4.1-nano' })).toBe('patterns+openai:gpt-4.1-nano')
		expect(policy({ OPENAI_API_KEY: 'sk-test', MODERATION: 'local' })).toBe('patterns')
	})

	test('DEVICE_TOOLS_ALLOWED narrows the toy tools the model may call; empty means none; a bad name is refused by name', () => {
		expect(safetyDefaults(loadConfig({ DEVICE_TOOLS_ALLOWED: 'self.get_device_status, iot.Lamp.*' }).safety).allowedTools).toEqual([
			'self.get_device_status',
			'iot.Lamp.*',
		])
		expect(safetyDefaults(loadConfig({ DEVICE_TOOLS_ALLOWED: '' }).safety).allowedTools).toEqual([])
		expect(() => loadConfig({ DEVICE_TOOLS_ALLOWED: 'self.camera take_photo' })).toThrow(/DEVICE_TOOLS_ALLOWED/)
	})

	test('quiet hours parse into minutes after midnight', () => {
		const cfg = loadConfig({ QUIET_HOURS: '20:30-07:00', TIMEZONE: 'Europe/Berlin' })
		expect(safetyDefaults(cfg.safety)).toMatchObject({ timezone: 'Europe/Berlin', quietHours: { startMinute: 1230, endMinute: 420 } })
	})

	test('refuses a break reminder longer than three hours, bad quiet hours, an unknown zone, and never echoes SMTP_URL', () => {
		try {
			loadConfig({ PLAY_TIME_REMINDER_MINUTES: '240', QUIET_HOURS: '8pm-7am', TIMEZONE: 'Mars/Base', SMTP_URL: 'http://u:secret@x' })
			throw new Error('expected a ConfigError')
		} catch (err) {
			expect(err).toBeInstanceOf(ConfigError)
			const message = (err as Error).message
			for (const name of ['PLAY_TIME_REMINDER_MINUTES', 'QUIET_HOURS', 'TIMEZONE', 'SMTP_URL']) expect(message).toContain(name)
			expect(message).not.toContain('secret')
		}
	})
})
